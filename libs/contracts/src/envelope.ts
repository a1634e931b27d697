import type { EpochMs } from './alert';

/**
 * Every event of every stream carries this envelope. `streamId` names the aggregate (an
 * incident id); `sequence` is gap-free per stream starting at 1, so a consumer detects both
 * duplicates and gaps. `partitionKey` is the Kafka key (the tenant id): see topics.ts.
 */
export interface EventEnvelope<TType extends string, TData> {
  readonly eventId: string;
  readonly type: TType;
  readonly schemaVersion: number;
  readonly tenantId: string;
  readonly streamId: string;
  readonly sequence: number;
  readonly partitionKey: string;
  /** Event time: the observed time of the alert or the watermark that caused it. */
  readonly occurredAt: EpochMs;
  /** The event or alert id that caused this event. */
  readonly causationId: string;
  /** Who or what caused it: `rule:<name>` for the correlator, `analyst:<id>` for people. */
  readonly actor: string;
  readonly data: TData;
}
