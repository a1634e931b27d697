import type { AnalystVerdict } from '@soc/contracts';
import { boundedPattern } from '../feedback';
import { CORRELATION_ACTORS as ACTOR } from './context';
import { decisionFor } from './decision-for';
import type { DeciderParts } from './decide';
import { patternOf } from './feedback-pattern';
import { alertCausation } from './ids';
import type { CorrelationOutput, OpenIncident } from './state';
import { lastSeenOf } from './state';

/** What an action says, when it says anything the model or the lifecycle uses. */
export interface ActionFacts {
  readonly incidentId: string | null;
  readonly alertId: string | null;
  readonly verdict: AnalystVerdict | null;
  readonly correctPriority: number | null;
  /** The analyst closes the incident (a verdict closes it), or opens it again. */
  readonly lifecycle: 'close' | 'reopen' | null;
  readonly notes: string | null;
}

/**
 * FeedbackApplied on the incident, with its pattern as it is now, at the incident's own latest
 * event time so that when the analyst answered does not age it.
 */
export function applyFacts(
  parts: DeciderParts,
  {
    incident,
    facts,
    analyst,
    cause,
  }: {
    readonly incident: OpenIncident;
    readonly facts: ActionFacts;
    readonly analyst: string;
    /** The feedback event's id. */
    readonly cause: string;
  },
): CorrelationOutput[] {
  const at = lastSeenOf(incident);
  const ctx = decisionFor(parts, {
    tenantId: incident.tenantId,
    time: at,
    cause: alertCausation(cause),
  });
  const pattern = boundedPattern(patternOf([incident]));
  const data = {
    incidentId: incident.id,
    analyst,
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
