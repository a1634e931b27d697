import type { IncidentNotification } from '../notification';

/** One receiver. `deliver` resolves once the receiver accepted; it throws DeliveryError. */
export interface Destination {
  readonly name: string;
  readonly type: string;
  deliver(notification: IncidentNotification): Promise<void>;
  close?(): Promise<void>;
}

/** Headers every HTTP destination sends, so receivers de-duplicate on one name. */
export const IDEMPOTENCY_HEADER = 'x-soc-idempotency-key';
