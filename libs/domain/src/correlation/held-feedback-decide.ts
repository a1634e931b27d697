import type {
  FeedbackHeldData,
  HeldFeedbackExpiryReason,
  PriorityFeedbackGiven,
} from '@soc/contracts';
import { CORRELATION_ACTORS as ACTOR, type Decision } from './context';
import { decisionFor } from './decision-for';
import type { DeciderParts } from './decide';
import { incidentNamed } from './evolve-feedback';
import { applyFacts } from './feedback-facts';
import {
  HELD_FEEDBACK_MAX_AGE_MS,
  MAX_HELD_FEEDBACK,
  type HeldFeedback,
  type HeldFeedbackInput,
} from './held-feedback';
import { alertCausation, unattachedStreamId } from './ids';
import type { CorrelationOutput, TenantState } from './state';

/*
 * The decisions about held feedback (see held-feedback.ts): hold it, apply it when its alert
 * lands in an incident, give it up when it is too old or the tenant holds too many. Every one
 * is an event, so a correlator rebuilt from the incident log holds the same feedback.
 */

const unattachedOf = (ctx: Decision) => ({
  id: unattachedStreamId(ctx.tenantId),
  sequence: ctx.tenant?.unattachedSequence ?? 0,
});

function giveUp(
  ctx: Decision,
  { held, reason }: { readonly held: HeldFeedback; readonly reason: HeldFeedbackExpiryReason },
): void {
  const { alertId, feedbackEventId, analyst, heldAt } = held;
  const data = { incidentId: null, alertId, feedbackEventId, analyst, heldAt, reason };
  ctx.emit(unattachedOf(ctx), 'HeldFeedbackExpired', data, { actor: ACTOR.feedback, at: ctx.now });
}

/**
 * Feedback by alert id whose alert no incident holds: FeedbackHeld on the tenant's unattached
 * stream, at the tenant's newest alert time (the feedback's own time before the tenant's first
 * alert), replacing what the tenant held for the alert; the same event again changes nothing.
 * A tenant holding MAX_HELD_FEEDBACK already gives up its oldest first.
 */
export function holdFeedback(
  event: PriorityFeedbackGiven,
  parts: DeciderParts,
  alertId: string,
): CorrelationOutput[] {
  const tenant = parts.state.tenants.get(event.tenantId);
  const held = tenant?.heldFeedback.get(alertId);
  if (held?.feedbackEventId === event.eventId) return [];
  const known = tenant !== undefined && Number.isFinite(tenant.maxEventTime);
  const ctx = decisionFor(parts, {
    tenantId: event.tenantId,
    time: known ? tenant.maxEventTime : event.occurredAt,
    cause: alertCausation(event.eventId),
  });
  if (tenant !== undefined && held === undefined) {
    let over = tenant.heldFeedback.size + 1 - MAX_HELD_FEEDBACK;
    for (const oldest of tenant.heldFeedback.values()) {
      if (over <= 0) break;
      giveUp(ctx, { held: oldest, reason: 'held-feedback-full' });
      over -= 1;
    }
  }
  const data: FeedbackHeldData = {
    incidentId: null,
    alertId,
    feedbackEventId: event.eventId,
    analyst: event.actor,
    correctPriority: event.data.correctPriority,
    notes: event.data.analystNotes,
  };
  ctx.emit(unattachedOf(ctx), 'FeedbackHeld', data, { actor: ACTOR.feedback, at: ctx.now });
  return ctx.outputs;
}

/**
 * The alert of held feedback landed in an incident: FeedbackApplied there, caused by the held
 * feedback event and by its analyst, exactly as if the alert had been seen when it came.
 */
export function decideHeldFeedback(
  input: HeldFeedbackInput,
  parts: DeciderParts,
): CorrelationOutput[] {
  const tenant = parts.state.tenants.get(input.tenantId);
  const held = tenant?.heldFeedback.get(input.alertId);
  const incidentId = tenant?.alertIncidents.get(input.alertId);
  if (tenant === undefined || held === undefined || incidentId === undefined) return [];
  const incident = incidentNamed(tenant, incidentId);
  if (incident === undefined) return [];
  return applyFacts(parts, {
    incident,
    analyst: held.analyst,
    cause: held.feedbackEventId,
    facts: {
      incidentId: incident.id,
      alertId: held.alertId,
      verdict: null,
      correctPriority: held.correctPriority,
      lifecycle: null,
      notes: held.notes,
    },
  });
}

/** At a tick: held feedback the tenant's watermark has carried past its age is given up. */
export function expireHeldFeedback(ctx: Decision, tenant: TenantState): void {
  // All of them (at most MAX_HELD_FEEDBACK): one held before the tenant's first alert carries
  // the feedback's own time, so holding order is not quite event-time order.
  for (const held of tenant.heldFeedback.values())
    if (held.heldAt + HELD_FEEDBACK_MAX_AGE_MS <= ctx.watermark)
      giveUp(ctx, { held, reason: 'alert-not-seen' });
}
