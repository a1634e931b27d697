import type { Match } from './candidates';
import { CORRELATION_ACTORS as ACTOR, type Decision } from './context';
import type { OpenIncident } from './state';

/**
 * An alert related to two or more open incidents merges them into the oldest (the first
 * match): each absorbed incident says where it went and closes. Returns the merged group,
 * survivor first.
 */
export function mergeMatches(
  ctx: Decision,
  {
    matches,
    bridgingAlertId,
  }: { readonly matches: readonly Match[]; readonly bridgingAlertId: string },
): OpenIncident[] {
  const survivor = (matches[0] as Match).incident;
  const group: OpenIncident[] = [survivor];
  for (let i = 1; i < matches.length; i += 1) {
    const { incident: absorbed, shared } = matches[i] as Match;
    group.push(absorbed);
    const merged = {
      incidentId: survivor.id,
      absorbedIncidentId: absorbed.id,
      bridgingAlertId,
      sharedEntities: shared,
    };
    ctx.emit(survivor, 'IncidentsMerged', merged, { actor: ACTOR.merge });
    const into = { incidentId: absorbed.id, survivorIncidentId: survivor.id };
    ctx.emit(absorbed, 'IncidentMergedInto', into, { actor: ACTOR.merge });
    const closed = { incidentId: absorbed.id, reason: 'merged' as const };
    ctx.emit(absorbed, 'IncidentClosed', closed, { actor: ACTOR.merge });
  }
  return group;
}
