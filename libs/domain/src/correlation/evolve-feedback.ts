import type {
  ClosedIncidentFollowedUpData,
  FeedbackAppliedData,
  FeedbackHeld,
  HeldFeedbackExpired,
} from '@soc/contracts';
import { labelOfVerdict, recordFeedback } from '../feedback';
import type { HeldFeedback } from './held-feedback';
import type { OpenIncident, TenantState } from './state';

/** The open incident, or the closed one as it was kept, that an id names now. */
export function incidentNamed(tenant: TenantState, incidentId: string): OpenIncident | undefined {
  let id = incidentId;
  // A merged-away incident lives on in its survivor; merges form a chain, never a cycle.
  for (let hops = 0; hops < 64; hops += 1) {
    const open = tenant.open.get(id);
    if (open !== undefined && open.mergedInto === null) return open;
    const closed = tenant.closed.get(id);
    const next = open?.mergedInto ?? closed?.mergedInto ?? null;
    if (next === null) return closed?.retained ?? undefined;
    id = next;
  }
  return undefined;
}

/**
 * Folds FeedbackApplied: the tenant's model learns the verdict or correction with the pattern
 * the event carries (nothing else is read, so a replay learns the same), a close marks the
 * incident as closed by an analyst, and feedback held for the alert it names is done.
 */
export function applyFeedback(tenant: TenantState, data: FeedbackAppliedData): void {
  if (data.alertId !== null) tenant.heldFeedback.delete(data.alertId);
  recordFeedback(tenant.feedback, {
    incidentId: data.incidentId,
    analyst: data.analyst,
    label: data.verdict === null ? null : labelOfVerdict(data.verdict),
    correctPriority: data.correctPriority,
    pattern: { rules: data.rules, entities: data.entities, tactics: data.tactics },
  });
  const incident = incidentNamed(tenant, data.incidentId);
  if (incident === undefined) return;
  if (data.closed) incident.analystClosed = { verdict: data.verdict };
  else if (data.verdict === null && data.correctPriority === null) incident.analystClosed = null;
}

/**
 * Folds FeedbackHeld (the latest feedback for the alert, held as the newest) and
 * HeldFeedbackExpired (the feedback it names is no longer held).
 */
export function applyHeldFeedback(
  tenant: TenantState,
  event: FeedbackHeld | HeldFeedbackExpired,
): void {
  const { alertId, feedbackEventId, analyst } = event.data;
  if (event.type === 'HeldFeedbackExpired') {
    if (tenant.heldFeedback.get(alertId)?.feedbackEventId === feedbackEventId)
      tenant.heldFeedback.delete(alertId);
    return;
  }
  const { correctPriority, notes } = event.data;
  const held: HeldFeedback = {
    alertId,
    feedbackEventId,
    analyst,
    correctPriority,
    notes,
    heldAt: event.occurredAt,
  };
  tenant.heldFeedback.delete(alertId);
  tenant.heldFeedback.set(alertId, held);
}

/** A reopened incident is no longer closed by an analyst. */
export function followUp(tenant: TenantState, data: ClosedIncidentFollowedUpData): void {
  if (data.outcome !== 'reopened') return;
  const incident = incidentNamed(tenant, data.closedIncidentId);
  if (incident !== undefined) incident.analystClosed = null;
}
