import type { AnalystVerdict, FeedbackEvent } from '@soc/contracts';
import { boundedPattern, labelOfVerdict } from '../feedback';
import { CORRELATION_ACTORS as ACTOR } from './context';
import { decisionFor } from './decision-for';
import type { DeciderParts } from './decide';
import { incidentNamed } from './evolve-feedback';
import { patternOf } from './feedback-pattern';
import { alertCausation } from './ids';
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

/** What an action says, when it says anything the model or the lifecycle uses. */
interface ActionFacts {
  readonly incidentId: string | null;
  readonly alertId: string | null;
  readonly verdict: AnalystVerdict | null;
  readonly correctPriority: number | null;
  /** The analyst closes the incident (a verdict closes it), or opens it again. */
  readonly lifecycle: 'close' | 'reopen' | null;
  readonly notes: string | null;
}

function factsOfAction(event: FeedbackEvent, tenant: TenantState): ActionFacts | null {
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
        event.data.incidentId ?? (alertId === null ? null : tenant.alertIncidents.get(alertId));
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
 * tenant's alert index) becomes FeedbackApplied, at the incident's own latest event time so
 * that when the analyst answered does not age it. Actions about nothing it knows change nothing.
 */
export function decideFeedback(input: FeedbackInput, parts: DeciderParts): CorrelationOutput[] {
  const { event } = input;
  const tenant = parts.state.tenants.get(event.tenantId);
  if (tenant === undefined) return [];
  const facts = factsOfAction(event, tenant);
  if (facts === null || facts.incidentId === null) return [];
  const incident = incidentNamed(tenant, facts.incidentId);
  if (incident === undefined || changesNothing(tenant, incident, facts)) return [];
  const at = lastSeenOf(incident);
  const ctx = decisionFor(parts, {
    tenantId: event.tenantId,
    time: at,
    cause: alertCausation(event.eventId),
  });
  const pattern = boundedPattern(patternOf([incident]));
  const data = {
    incidentId: incident.id,
    analyst: event.actor,
    verdict: facts.verdict,
    correctPriority: facts.correctPriority,
    closed: facts.lifecycle === 'close',
    alertId: facts.alertId,
    notes: facts.notes,
    rules: pattern.rules,
    entities: pattern.entities,
    tactics: pattern.tactics,
  };
  ctx.emit(incident, 'FeedbackApplied', data, { actor: ACTOR.feedback, at });
  return ctx.outputs;
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
