import type { AnalystVerdict } from '@soc/contracts';
import {
  boundedPattern,
  labelOfVerdict,
  type FeedbackLabel,
  type FeedbackPattern,
} from '../feedback';
import { standoutRulesOf } from '../scoring';
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
 * The pattern a verdict counts under. A true positive is credited to the rules that made the
 * incident stand out, not to the everyday rules riding along with them: credited, those would
 * lift every noise incident that shares them (a firewall's TLS and DNS rules sit in most of a
 * tenant's incidents). Where nothing stood out the analyst's word is all there is, and it
 * counts under every rule, so that it still outweighs the noise verdicts of the same pattern.
 * Noise counts under every rule, since an incident is lowered only when all its rules have a
 * noise history.
 */
function creditedPattern(incident: OpenIncident, label: FeedbackLabel | null): FeedbackPattern {
  const pattern = patternOf([incident]);
  if (label !== 'tp') return boundedPattern(pattern);
  const standout = standoutRulesOf(incident.evidence);
  return boundedPattern(standout.length === 0 ? pattern : { ...pattern, rules: standout });
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
  // A correction alone keeps the verdict given before, so it counts under that verdict's rules.
  const label =
    facts.verdict !== null
      ? labelOfVerdict(facts.verdict)
      : (parts.state.tenants.get(incident.tenantId)?.feedback.incidents.get(incident.id)?.label ??
        null);
  const pattern = creditedPattern(incident, label);
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
