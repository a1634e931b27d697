import type { FeedbackEvent } from '@soc/contracts';
import { labelOfVerdict } from '../feedback';
import { decisionFor } from './decision-for';
import type { DeciderParts } from './decide';
import { incidentNamed } from './evolve-feedback';
import { applyFacts, type ActionFacts } from './feedback-facts';
import { holdFeedback } from './held-feedback-decide';
import { rescore } from './rescore';
import type {
  CorrelationOutput,
  FeedbackInput,
  FeedbackRescoreInput,
  OpenIncident,
  TenantState,
} from './state';
import { hasRule, lastSeenOf } from './state';

/*
 * Analyst feedback of `soc.feedback.v1`, as a decider input. What the correlator takes from an
 * action is recorded as FeedbackApplied on the incident's stream, with the incident's pattern,
 * so the tenant's feedback model is a fold of the incident log alone (a restart replays it),
 * and one feedback event changes the model at most once however often it is delivered.
 */

/** What the action says; an alert id is looked up in the tenant's alert index. */
function factsOfAction(event: FeedbackEvent, tenant: TenantState | undefined): ActionFacts | null {
  const none = { alertId: null, verdict: null, correctPriority: null, notes: null };
  switch (event.type) {
    case 'IncidentVerdictGiven': {
      const { incidentId, verdict, notes } = event.data;
      return { ...none, incidentId, verdict, notes, lifecycle: 'close' };
    }
    case 'IncidentStatusChanged': {
      const { incidentId, status, notes } = event.data;
      return { ...none, incidentId, notes, lifecycle: status === 'closed' ? 'close' : 'reopen' };
    }
    case 'PriorityFeedbackGiven': {
      const { alertId, correctPriority, analystNotes } = event.data;
      const incidentId =
        event.data.incidentId ?? (alertId === null ? null : tenant?.alertIncidents.get(alertId));
      return {
        ...none,
        incidentId: incidentId ?? null,
        alertId,
        correctPriority,
        notes: analystNotes,
        lifecycle: null,
      };
    }
    case 'IncidentAcknowledged':
    case 'IncidentAssigned':
      return null;
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

/** Would folding the action change nothing (a redelivery, the same verdict again)? */
function changesNothing(tenant: TenantState, incident: OpenIncident, facts: ActionFacts): boolean {
  const held = tenant.feedback.incidents.get(incident.id);
  const label = facts.verdict === null ? null : labelOfVerdict(facts.verdict);
  if (label !== null && held?.label !== label) return false;
  if (facts.correctPriority !== null && held?.correctPriority !== facts.correctPriority)
    return false;
  const closed = incident.analystClosed;
  if (facts.lifecycle === 'close')
    return closed !== null && (facts.verdict === null || closed.verdict === facts.verdict);
  return facts.lifecycle !== 'reopen' || closed === null;
}

/**
 * An analyst action. A verdict, a corrected priority or a close of an incident the correlator
 * still knows (open, or closed within the campaign horizon; an alert id is looked up in the
 * tenant's alert index) becomes FeedbackApplied. Feedback by the id of an alert no incident
 * holds yet is held for it (held-feedback-decide.ts). Actions about incidents the correlator
 * no longer knows change nothing.
 */
export function decideFeedback(input: FeedbackInput, parts: DeciderParts): CorrelationOutput[] {
  const { event } = input;
  const tenant = parts.state.tenants.get(event.tenantId);
  const facts = factsOfAction(event, tenant);
  if (facts === null) return [];
  if (facts.incidentId === null)
    return event.type === 'PriorityFeedbackGiven' && facts.alertId !== null
      ? holdFeedback(event, parts, facts.alertId)
      : [];
  const incident = tenant === undefined ? undefined : incidentNamed(tenant, facts.incidentId);
  if (tenant === undefined || incident === undefined || changesNothing(tenant, incident, facts))
    return [];
  return applyFacts(parts, { incident, facts, analyst: event.actor, cause: event.eventId });
}

/**
 * The open incidents of the taught rules, rescored with the model that holds the feedback now:
 * IncidentScored where the priority moved, each at the incident's own latest event time.
 */
export function decideFeedbackRescore(
  input: FeedbackRescoreInput,
  parts: DeciderParts,
): CorrelationOutput[] {
  const tenant = parts.state.tenants.get(input.tenantId);
  if (tenant === undefined) return [];
  const ctx = decisionFor(parts, {
    tenantId: input.tenantId,
    time: tenant.maxEventTime,
    cause: input.cause,
  });
  for (const incident of tenant.open.values()) {
    if (incident.mergedInto !== null || incident.analystClosed !== null) continue;
    if (!input.rules.some((rule) => hasRule(incident, rule))) continue;
    rescore(ctx, { subject: incident, group: [incident], at: lastSeenOf(incident) });
  }
  return ctx.outputs;
}
