import type { DecidedAlert } from './alert-input';
import type { Match } from './candidates';
import { CORRELATION_ACTORS as ACTOR, type Decision } from './context';

/** The matches an alert may join, and the analyst-closed ones it follows up. */
export interface FollowUps {
  readonly matches: Match[];
  /** Closed with a true-positive verdict or none: the alert joins and reopens them. */
  readonly reopened: readonly Match[];
  /** The oldest one closed as false or benign positive: the alert goes elsewhere, linked. */
  readonly linkedFrom: Match | null;
}

/**
 * Splits the matches of an alert by what analysts said: an incident closed as noise takes no
 * new alert (it would escalate while closed), so the alert joins the other matches or opens a
 * new incident; any other closed incident takes it and is open again.
 */
export function followUpsOf(matches: readonly Match[]): FollowUps {
  const kept: Match[] = [];
  const reopened: Match[] = [];
  let linkedFrom: Match | null = null;
  for (const match of matches) {
    const closed = match.incident.analystClosed;
    if (closed === null) kept.push(match);
    else if (closed.verdict === 'false_positive' || closed.verdict === 'benign_positive')
      linkedFrom ??= match;
    else {
      kept.push(match);
      reopened.push(match);
    }
  }
  return { matches: kept, reopened, linkedFrom };
}

/** Records which way each analyst-closed match went, once the alert has landed. */
export function recordFollowUps(
  ctx: Decision,
  { followUps, input }: { readonly followUps: FollowUps; readonly input: DecidedAlert },
): void {
  const alertId = input.alert.alertId;
  for (const { incident } of followUps.reopened) {
    const verdict = incident.analystClosed?.verdict ?? null;
    const data = {
      incidentId: incident.id,
      closedIncidentId: incident.id,
      alertId,
      verdict,
      outcome: 'reopened' as const,
      reason: `a new alert joined incident ${incident.id}, which an analyst had closed${verdict === null ? '' : ` as ${verdict.replace('_', ' ')}`}: open again`,
    };
    ctx.emit(incident, 'ClosedIncidentFollowedUp', data, { actor: ACTOR.feedback });
  }
  const linked = followUps.linkedFrom?.incident;
  if (linked === undefined) return;
  const landed = landedIn(ctx, alertId);
  if (landed === null) return;
  const verdict = linked.analystClosed?.verdict ?? null;
  const data = {
    incidentId: landed,
    closedIncidentId: linked.id,
    alertId,
    verdict,
    outcome: 'opened-linked-incident' as const,
    reason: `incident ${linked.id} was closed as ${(verdict ?? 'false_positive').replace('_', ' ')}: the new alert went to incident ${landed} instead`,
  };
  ctx.emit({ id: landed, sequence: 0 }, 'ClosedIncidentFollowedUp', data, {
    actor: ACTOR.feedback,
  });
}

/** The incident the decision put the alert in (opened or attached to). */
function landedIn(ctx: Decision, alertId: string): string | null {
  for (const output of ctx.outputs) {
    if (output.type === 'IncidentOpened' && output.data.firstAlert.alertId === alertId)
      return output.data.incidentId;
    if (output.type === 'AlertAttached' && output.data.alert.alertId === alertId)
      return output.data.incidentId;
  }
  return null;
}
