import type { FeedbackEvent } from '@soc/contracts';

/** An analyst action of `soc.feedback.v1` (see feedback-decide.ts). */
export interface FeedbackInput {
  readonly kind: 'feedback';
  readonly event: FeedbackEvent;
}

/**
 * After FeedbackApplied is folded: the tenant's open incidents of the rules it taught are
 * rescored with the model that now holds it (see feedback-decide.ts).
 */
export interface FeedbackRescoreInput {
  readonly kind: 'feedback-rescore';
  readonly tenantId: string;
  readonly rules: readonly string[];
  /** The feedback event's id: the causation of the rescores. */
  readonly cause: string;
}
