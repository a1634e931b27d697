import type { AlertFormat, CanonicalAlert, EpochMs } from '@soc/contracts';

/**
 * What the caller knows about a record that the record itself does not say. The tenant always
 * comes from the caller (credentials, door configuration), never from the record; `ingestedAt`
 * is the caller's clock reading, so the normalizer itself never reads a clock.
 */
export interface NormalizeContext {
  readonly tenantId: string;
  readonly ingestedAt: EpochMs;
  /** The format, when the door or the operator names it; otherwise it is detected. */
  readonly format?: AlertFormat | undefined;
  /** The deployment that sent the record; defaults to the format name. */
  readonly sourceSystem?: string | undefined;
}

/**
 * Why a record could not become a canonical alert. `field` names the offending field as a path
 * into the record (`rule.level`, `entities[2].value`, `header`); `(record)` when the record as a
 * whole is unusable. An expected negative outcome: it goes to the dead-letter topic, it is not
 * an exception.
 */
export interface AlertRejection {
  readonly format: AlertFormat | 'unknown';
  readonly field: string;
  readonly reason: string;
}

export type NormalizeResult = { readonly ok: true; readonly alert: CanonicalAlert } | Rejected;

/** A rejection; a format's helper returns it in place of the part it could not read. */
export interface Rejected {
  readonly ok: false;
  readonly rejection: AlertRejection;
}

export const isRejected = <T>(value: T | Rejected): value is Rejected =>
  typeof value === 'object' && value !== null && 'rejection' in value;

export const reject = (
  format: AlertFormat | 'unknown',
  field: string,
  reason: string,
): Rejected => ({
  ok: false,
  rejection: { format, field, reason },
});
