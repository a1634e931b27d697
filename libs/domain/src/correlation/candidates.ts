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
  if (candidates.matches.length < 2) return candidates.matches;
  candidates.matches.sort((a, b) => olderFirst(a.incident, b.incident));
  return candidates.revising ? withinOneSpan(ctx, candidates.matches) : candidates.matches;
}

/**
 * The matches the alert can merge without the merged incident passing its max span, oldest
 * first. In time order each match's span ends at the alert, so any set of them fits; a late
 * alert can match an incident cut at its max span and the one that continued it (both fit
 * with it alone), and time order would have put it in the older, the one open at its time.
 */
function withinOneSpan(ctx: Decision, matches: readonly Match[]): Match[] {
  let first = ctx.time;
  let last = ctx.time;
  const fitting: Match[] = [];
  for (const match of matches) {
    const from = Math.min(first, firstSeenOf(match.incident));
    const to = Math.max(last, lastSeenOf(match.incident));
    if (to - from >= ctx.policy.maxIncidentSpanMs) continue;
    first = from;
    last = to;
    fitting.push(match);
  }
  return fitting;
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
