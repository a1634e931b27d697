import { countedAlertIds, type EpochMs } from '@soc/contracts';
import type { CorrelationOutput } from './inputs';
import type { CorrelationState } from './state';

/*
 * Feedback by alert id on an alert no incident holds yet (a late detector, or feedback that
 * raced ahead of its alert) is held in the tenant's state, recorded as FeedbackHeld, until the
 * alert lands in an incident, then applied as if the alert had been seen (see
 * held-feedback-decide.ts). Bounded per tenant in count and in event-time age, the oldest
 * given up first, each with HeldFeedbackExpired.
 */

/** What the tenant holds for one alert: the latest feedback by that alert's id. */
export interface HeldFeedback {
  readonly alertId: string;
  readonly feedbackEventId: string;
  readonly analyst: string;
  readonly correctPriority: number;
  readonly notes: string | null;
  /** Event time it was held at: the tenant's newest alert time then. */
  readonly heldAt: EpochMs;
}

/** Held feedback a tenant keeps; one more gives up the oldest (`held-feedback-full`). */
export const MAX_HELD_FEEDBACK = 1_000;
/** Event time the tenant's watermark may move past a hold before it gives up (`alert-not-seen`). */
export const HELD_FEEDBACK_MAX_AGE_MS = 24 * 60 * 60_000;

/** After FeedbackHeld: when its alert lands in an incident, the held feedback is applied. */
export interface HeldFeedbackInput {
  readonly kind: 'held-feedback';
  readonly tenantId: string;
  readonly alertId: string;
}

/** The alerts an event puts in an incident (and into the tenant's alert index). */
function landedAlerts(output: CorrelationOutput): readonly string[] {
  switch (output.type) {
    case 'IncidentOpened':
      return [output.data.firstAlert.alertId];
    case 'AlertAttached':
      return [output.data.alert.alertId];
    case 'AlertRepeatsCounted':
    case 'IncidentRepeatsCounted':
      return countedAlertIds(output.data);
    default:
      return [];
  }
}

/** The held feedback whose alerts these folded outputs put in an incident, one input each. */
export function arrivalsOf(
  state: CorrelationState,
  outputs: readonly CorrelationOutput[],
): HeldFeedbackInput[] {
  const arrivals: HeldFeedbackInput[] = [];
  for (const output of outputs) {
    const held = state.tenants.get(output.tenantId)?.heldFeedback;
    if (held === undefined || held.size === 0) continue;
    for (const alertId of landedAlerts(output))
      if (held.has(alertId))
        arrivals.push({ kind: 'held-feedback', tenantId: output.tenantId, alertId });
  }
  return arrivals;
}
