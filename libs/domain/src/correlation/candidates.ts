import type { AlertEntity } from '@soc/contracts';
import type { DecidedAlert } from './alert-input';
import type { Decision } from './context';
import { isOpenAt, olderFirst } from './lookups';
import { firstSeenOf, lastSeenOf, withinLink, type EntityLink, type OpenIncident } from './state';

export interface Match {
  readonly incident: OpenIncident;
  /** The linking entities the alert shares with the incident (none for a repeat-key link). */
  readonly shared: AlertEntity[];
}

export interface Candidates {
  /** Open incidents the alert relates to, oldest first. */
  readonly matches: Match[];
  /** An incident the alert belongs to whose window has passed the watermark but not yet closed. */
  expired: OpenIncident | undefined;
}

/** The open incidents the alert relates to through a linking entity or its repeat key. */
export function candidatesFor(ctx: Decision, input: DecidedAlert): Candidates {
  const candidates: Candidates = { matches: [], expired: undefined };
  const tenant = ctx.tenant;
  if (tenant === undefined) return candidates;
  for (const { key, entity } of input.links)
    collect(ctx, candidates, tenant.index.get(key), entity);
  if (ctx.policy.repeats.enabled)
    collect(ctx, candidates, tenant.index.get(input.keys.repeatKey), null);
  if (candidates.matches.length > 1)
    candidates.matches.sort((a, b) => olderFirst(a.incident, b.incident));
  return candidates;
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
  if (!isOpenAt(incident, ctx.watermark, ctx.policy) || span >= ctx.policy.maxIncidentSpanMs) {
    candidates.expired ??= incident;
    return;
  }
  let match: Match | undefined;
  for (const existing of candidates.matches) if (existing.incident === incident) match = existing;
  if (match === undefined) {
    match = { incident, shared: [] };
    candidates.matches.push(match);
  }
  if (entity !== null) match.shared.push(entity);
}
