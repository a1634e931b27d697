import type {
  CanonicalAlert,
  EpochMs,
  IncidentEvent,
  IntelVerdictRecorded,
  TenantConfigChanged,
} from '@soc/contracts';
import type { AlertKeys } from './entity-keys';
import type { FeedbackInput, FeedbackRescoreInput } from './feedback-inputs';
import type { HeldFeedbackInput } from './held-feedback';
export type CorrelationInput =
  | AlertInput
  | TickInput
  | IntelInput
  | RememberedIntelInput
  | FeedbackInput
  | FeedbackRescoreInput
  | HeldFeedbackInput
  | TenantConfigInput;

/** A version of the tenant's configuration (`soc.tenant-config.v1`, see tenant-policy.ts). */
export interface TenantConfigInput {
  readonly kind: 'tenant-config';
  readonly event: TenantConfigChanged;
}

/** A verdict of `soc.intel.v1` (see intel-decide.ts). */
export interface IntelInput {
  readonly kind: 'intel';
  readonly event: IntelVerdictRecorded;
}

/**
 * After an alert's outputs are folded: the verdicts the tenant remembers for its entities
 * join the incident it landed in (see intel-decide.ts).
 */
export interface RememberedIntelInput {
  readonly kind: 'remembered-intel';
  readonly tenantId: string;
  readonly alertId: string;
  readonly incidentId: string;
  readonly entityKeys: readonly string[];
}

export interface AlertInput {
  readonly kind: 'alert';
  readonly alert: CanonicalAlert;
  /**
   * The alert's keys (`alertKeysOf`), when the caller computed them to hand the same keys to
   * `evolveCorrelation`; derived by the decider otherwise.
   */
  readonly keys?: AlertKeys;
}

/**
 * Flushes pending repeat counters and closes what the watermark has passed. Each tenant's
 * watermark follows from its own newest event time by its own allowed lateness (see
 * `watermarkOf`): never from another tenant's alerts, so a tenant that runs ahead (or a bad
 * clock the skew guard let through) closes no other tenant's windows. `watermark` (event
 * time, optional) is a floor every tenant's watermark moves to. `arrivalTime` (wall clock,
 * optional: a shell's idle timer) closes windows on quiet tenants: a tenant none of whose
 * alerts arrived for `idleTimeoutMs` gets the watermark `arrivalTime - idleTimeoutMs`. What
 * such a tick closes is recorded like any tick's decision (IncidentClosed caused by the tick,
 * at the watermark), so a replay rebuilds the same watermark and state.
 */
export interface TickInput {
  readonly kind: 'tick';
  readonly watermark?: EpochMs;
  readonly arrivalTime?: EpochMs;
}

/**
 * The decider's note to itself that a repeat was folded into its series' counter. It is
 * folded by `evolveCorrelation` and never published: the next flush (tick) turns the pending
 * repeats into one IncidentRepeatsCounted per incident. So between flushes the state holds
 * pending repeats that no published event carries, and at every flush boundary the state is
 * exactly the fold of the published events. Shells commit their input offsets only after a
 * flush, so a restart always resumes from such a boundary.
 */
export interface RepeatPending {
  readonly type: 'RepeatPending';
  readonly tenantId: string;
  readonly incidentId: string;
  readonly repeatKey: string;
  readonly alertId: string;
  readonly observedAt: EpochMs;
  readonly ingestedAt: EpochMs;
}

export type CorrelationOutput = IncidentEvent | RepeatPending;

export const isIncidentEvent = (output: CorrelationOutput): output is IncidentEvent =>
  output.type !== 'RepeatPending';
