import type { AlertEntity } from '@soc/contracts';
import type { DecidedAlert } from './alert-input';
import type { Decision } from './context';
import { isOpenAt, olderFirst } from './lookups';
import { closedMatches, isRevision } from './revise';
import { firstSeenOf, lastSeenOf, withinLink, type EntityLink, type OpenIncident } from './state';

export interface Match {
  readonly incident: OpenIncident;
  /** The linking entities the alert shares with the incident (none for a repeat-key link). */
  readonly shared: AlertEntity[];
}

interface Candidates {
  /** Incidents the alert relates to, oldest first. */
  readonly matches: Match[];
  /** A revising alert (see `isRevision`) also matches incidents whose window has passed. */
  readonly revising: boolean;
}

/**
 * The incidents the alert relates to through a linking entity or its repeat key, oldest
 * first: open ones, and for a revising alert also closed ones still remembered.
 */
export function candidatesFor(ctx: Decision, input: DecidedAlert): Match[] {
  const candidates: Candidates = { matches: [], revising: isRevision(ctx) };
  const tenant = ctx.tenant;
  if (tenant === undefined) return candidates.matches;
  for (const { key, entity } of input.links)
    collect(ctx, candidates, tenant.index.get(key), entity);
  if (ctx.policy.repeats.enabled)
    collect(ctx, candidates, tenant.index.get(input.keys.repeatKey), null);
  if (candidates.revising) candidates.matches.push(...closedMatches(ctx, input));
  if (candidates.matches.length > 1)
    candidates.matches.sort((a, b) => olderFirst(a.incident, b.incident));
  return candidates.matches;
}

function collect(
  ctx: Decision,
  candidates: Candidates,
  indexed: EntityLink | Set<EntityLink> | undefined,
  entity: AlertEntity | null,
): void {
  if (indexed === undefined) return;
  if (indexed instanceof Set) {
    for (const link of indexed) consider(ctx, candidates, link, entity);
  } else consider(ctx, candidates, indexed, entity);
}

function consider(
  ctx: Decision,
  candidates: Candidates,
  link: EntityLink,
  entity: AlertEntity | null,
): void {
  const incident = link.incident;
  const time = ctx.time;
  if (!withinLink(link, time, incident.windowMs)) return;
  const span = Math.max(lastSeenOf(incident), time) - Math.min(firstSeenOf(incident), time);
  if (span >= ctx.policy.maxIncidentSpanMs) return;
  if (!candidates.revising && !isOpenAt(incident, ctx.watermark, ctx.policy)) return;
  let match: Match | undefined;
  for (const existing of candidates.matches) if (existing.incident === incident) match = existing;
  if (match === undefined) {
    match = { incident, shared: [] };
    candidates.matches.push(match);
  }
  if (entity !== null) match.shared.push(entity);
}
