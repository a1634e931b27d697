import type { QuietHost } from '../scoring';
import type { Decision } from './context';
import { firstOf, lastOf, lookupIncident, type IncidentRecord } from './lookups';
import type { TenantState } from './state';

/** An escalated story active around a quiet host's alert: the member nearest in time. */
export interface QuietHostLink {
  readonly other: IncidentRecord;
  readonly reason: string;
}

interface StoryCandidate {
  readonly member: IncidentRecord;
  /** Event time from the alert to the member's alerts; 0 inside its span. */
  readonly distanceMs: number;
  readonly priority: number;
}

/** The story's priority: its highest member's (an incident without a campaign is its own). */
function storyPriorityOf(tenant: TenantState, record: IncidentRecord): number {
  if (record.campaignId === null) return record.priority ?? 0;
  let highest = record.priority ?? 0;
  for (const member of tenant.campaigns.get(record.campaignId)?.members ?? [])
    highest = Math.max(highest, lookupIncident(tenant, member)?.priority ?? 0);
  return highest;
}

/** The better of two candidates: the higher story, then the nearer member, then the older. */
const better = (a: StoryCandidate, b: StoryCandidate | null): boolean =>
  b === null ||
  a.priority > b.priority ||
  (a.priority === b.priority &&
    (a.distanceMs < b.distanceMs ||
      (a.distanceMs === b.distanceMs && a.member.ordinal < b.member.ordinal)));

/**
 * An alert on a quiet host (one that usually raises less than an alert within the spread
 * window, see quietHostOf) while a story at or above the high-priority threshold is active
 * (a member's alerts less than the spread window from it) joins that story: on a host that
 * seldom speaks, speaking at the moment of an escalated attack is the evidence, whatever the
 * rule (an anomaly detector on the monitoring host seeing the attack's traffic). One story
 * at most, the highest, so a quiet host never bridges two stories. The scan over the
 * tenant's incidents runs only for a quiet host's rows, which are few by definition.
 */
export function quietHostLinks(
  ctx: Decision,
  { tenant, quiet }: { readonly tenant: TenantState; readonly quiet: QuietHost },
): QuietHostLink[] {
  const { spreadWindowMs } = ctx.policy.campaign;
  const threshold = ctx.policy.scoring.highPriorityThreshold;
  const time = ctx.time;
  let best: StoryCandidate | null = null;
  const consider = (member: IncidentRecord): void => {
    if (member.mergedInto !== null) return;
    const distanceMs = Math.max(0, firstOf(member) - time, time - lastOf(member));
    if (distanceMs >= spreadWindowMs) return;
    const priority = storyPriorityOf(tenant, member);
    if (priority < threshold) return;
    const candidate = { member, distanceMs, priority };
    if (better(candidate, best)) best = candidate;
  };
  for (const incident of tenant.open.values()) consider(incident);
  for (const incident of tenant.closed.values()) consider(incident);
  if (best === null) return [];
  const { member, distanceMs, priority } = best as StoryCandidate;
  const perHour = (quiet.expectedInWindow * 3_600_000) / spreadWindowMs;
  return [
    {
      other: member,
      reason:
        `host ${quiet.entityKey.slice('host:'.length)} is quiet (${perHour.toFixed(1)} alerts an hour ` +
        `as usual) and fired ${Math.round(distanceMs / 60_000)} min from incident ${member.id} ` +
        `of a story at priority ${priority}: activity on a quiet host during an escalated story`,
    },
  ];
}
