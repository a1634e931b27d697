import type { EpochMs } from '@soc/contracts';
import type { DecidedAlert } from './alert-input';
import type { Match } from './candidates';
import { CORRELATION_ACTORS as ACTOR, type Decision } from './context';
import { linksIn } from './links';
import { firstSeenOf, lastSeenOf, withinLink, type OpenIncident } from './state';

/**
 * Is the alert late but inside the revision horizon? Then it joins the incidents it belongs
 * to whether or not their windows have closed since, as it would have in time order.
 */
export const isRevision = (ctx: Decision): boolean =>
  ctx.time < ctx.watermark && ctx.time >= ctx.watermark - ctx.policy.revisionHorizonMs;

/**
 * The event time an alert's decision scores its incident at: a revising alert's own time, as
 * in time order, where it arrived before the watermark passed it; else the decision's now.
 * Scored at the watermark, a late detector's incidents would lose freshness for arriving late
 * (6 hours late: half of it), and rank below what time order ranks them.
 */
export const scoreTimeOf = (ctx: Decision): EpochMs => (isRevision(ctx) ? ctx.time : ctx.now);

/**
 * The event time a flush scores an incident at: its last alert's when that is behind the
 * watermark within the revision horizon (late repeats: time order flushed them then, and in
 * time order a flush's last alert is never behind its watermark by more than a tick), else
 * the watermark.
 */
export function flushTimeOf(ctx: Decision, incident: OpenIncident): EpochMs {
  const lastSeen = lastSeenOf(incident);
  return lastSeen >= ctx.watermark - ctx.policy.revisionHorizonMs ? lastSeen : ctx.watermark;
}

/**
 * The closed (still remembered) incidents a revising alert belongs to: one of its linking
 * entities is within a window of the incident's alerts that carried it, and the incident
 * would stay inside its max span. Found through the closed incidents' link index, not the
 * campaign memory: that keeps only an entity's latest incidents, and a late source's alert
 * belongs to one as old as its delay, however many incidents a busy host had since.
 */
export function closedMatches(ctx: Decision, input: DecidedAlert): Match[] {
  const matches: Match[] = [];
  const tenant = ctx.tenant;
  if (tenant === undefined) return matches;
  for (const { key, entity } of input.links) {
    for (const link of linksIn(tenant.closedIndex.get(key))) {
      const incident = link.incident;
      if (!withinLink(link, ctx.time, incident.windowMs) || !withinSpan(incident, ctx)) continue;
      const match = matches.find((existing) => existing.incident === incident);
      if (match === undefined) matches.push({ incident, shared: [entity] });
      else match.shared.push(entity);
    }
  }
  return matches;
}

const withinSpan = (incident: OpenIncident, ctx: Decision): boolean =>
  Math.max(lastSeenOf(incident), ctx.time) - Math.min(firstSeenOf(incident), ctx.time) <
  ctx.policy.maxIncidentSpanMs;

/** IncidentReopened on each closed match, before the alert joins them. */
export function reopenMatches(
  ctx: Decision,
  { matches, alertId }: { readonly matches: readonly Match[]; readonly alertId: string },
): void {
  for (const { incident } of matches) {
    const closed = ctx.tenant?.closed.get(incident.id);
    if (closed === undefined) continue;
    const behind = ctx.watermark - ctx.time;
    const data = {
      incidentId: incident.id,
      cause: 'late-alert' as const,
      alertId,
      reason: `alert ${alertId} belongs to it and is ${behind} ms behind the watermark, inside the revision horizon of ${ctx.policy.revisionHorizonMs} ms`,
    };
    ctx.emit(closed, 'IncidentReopened', data, { actor: ACTOR.lateness });
  }
}
