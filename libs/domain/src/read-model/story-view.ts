import type { EpochMs, IncidentStatus } from '@soc/contracts';
import type { IncidentView, ViewEntity } from './incident-view';

/**
 * The analyst's view of one attack story: the row of the `stories` read model. A story is the
 * incidents joined by campaign links (`CampaignLinked` names the story); an incident without a
 * link is a story of its own, named by its incident id. An incident merged into another is
 * part of its survivor, not a member in its own right. The row is a function of its members'
 * incident rows alone, so recomputing it after any change is idempotent and a rebuild from
 * offset 0 gives the same rows.
 */
export interface StoryView {
  readonly tenantId: string;
  readonly storyId: string;
  /** The campaign that joined the members; null for an incident that is a story of its own. */
  readonly campaignId: string | null;
  /** The lead incident's title. */
  readonly title: string;
  /** The highest member priority: the story ranks as its most urgent incident does. */
  readonly priority: number | null;
  /** The member with the highest priority (the latest one among equals). */
  readonly leadIncidentId: string;
  /** Members, highest priority first, at most `STORY_LIMITS.incidentIds`. */
  readonly incidentIds: readonly string[];
  readonly incidentCount: number;
  /** Members no analyst has closed. */
  readonly openIncidents: number;
  readonly alertCount: number;
  /** Closed when every member is; open while any member is; otherwise in progress or acknowledged. */
  readonly status: IncidentStatus;
  readonly escalated: boolean;
  readonly rules: readonly string[];
  readonly tactics: readonly string[];
  /** The members' entities, lead first, at most `STORY_LIMITS.entities`. */
  readonly entities: readonly ViewEntity[];
  readonly hostCount: number;
  readonly firstSeen: EpochMs | null;
  readonly lastSeen: EpochMs | null;
  readonly summary: string;
  readonly updatedAt: EpochMs;
}

/** Bounds on the lists a story row keeps (a noise story may hold thousands of incidents). */
export const STORY_LIMITS = { incidentIds: 200, entities: 64, rules: 64 } as const;

/** The story an incident row belongs to, or null when it is no member (merged away, not opened). */
export function storyIdOf(view: IncidentView): string | null {
  if (!view.opened || view.mergedInto !== null) return null;
  return view.campaignId ?? view.incidentId;
}

/** Highest priority first; among equals the latest activity, then the id, as the incident queue. */
function byUrgency(a: IncidentView, b: IncidentView): number {
  const priority = (b.priority ?? -1) - (a.priority ?? -1);
  if (priority !== 0) return priority;
  const seen = (b.lastSeen ?? 0) - (a.lastSeen ?? 0);
  if (seen !== 0) return seen;
  return a.incidentId < b.incidentId ? 1 : a.incidentId > b.incidentId ? -1 : 0;
}

function storyStatus(members: readonly IncidentView[]): IncidentStatus {
  const statuses = new Set(members.map((m) => m.status));
  if (statuses.has('open')) return 'open';
  if (statuses.has('in_progress')) return 'in_progress';
  if (statuses.has('acknowledged')) return 'acknowledged';
  return 'closed';
}

function unionOf(lists: readonly (readonly string[])[], limit: number): string[] {
  const seen = new Set<string>();
  for (const list of lists)
    for (const item of list) if (seen.size < limit || seen.has(item)) seen.add(item);
  return [...seen];
}

function entitiesOf(members: readonly IncidentView[]): {
  entities: ViewEntity[];
  hostCount: number;
} {
  const entities: ViewEntity[] = [];
  const seen = new Set<string>();
  const hosts = new Set<string>();
  for (const member of members) {
    for (const entity of member.entities) {
      if (entity.type === 'host') hosts.add(entity.value);
      const key = `${entity.type}\u0000${entity.value}`;
      if (seen.has(key) || entities.length >= STORY_LIMITS.entities) continue;
      seen.add(key);
      entities.push(entity);
    }
  }
  return { entities, hostCount: hosts.size };
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The story in one sentence an analyst reads: its size, where it ran, and what leads it. */
function summaryOf({
  lead,
  members,
  hostCount,
  alertCount,
}: {
  readonly lead: IncidentView;
  readonly members: readonly IncidentView[];
  readonly hostCount: number;
  readonly alertCount: number;
}): string {
  const led =
    lead.priority === null
      ? `led by incident ${lead.incidentId} (not scored yet)`
      : `led by incident ${lead.incidentId} at priority ${lead.priority}`;
  const why = lead.explanation === null ? '' : `: ${lead.explanation.summary}`;
  if (members.length === 1) return `${plural(alertCount, 'alert')}, ${led}${why}`;
  return (
    `${plural(members.length, 'incident')} joined by campaign links, ` +
    `${plural(alertCount, 'alert')} on ${plural(hostCount, 'host')}, ${led}${why}`
  );
}

const minOf = (values: readonly (EpochMs | null)[]): EpochMs | null =>
  values.reduce<EpochMs | null>(
    (min, v) => (v === null || (min !== null && min <= v) ? min : v),
    null,
  );
const maxOf = (values: readonly (EpochMs | null)[]): EpochMs | null =>
  values.reduce<EpochMs | null>(
    (max, v) => (v === null || (max !== null && max >= v) ? max : v),
    null,
  );

/**
 * The story row of `storyId` from its member incident rows (those whose `storyIdOf` is
 * `storyId`), or null when it has none left (its incidents moved to another story). Pure.
 */
export function storyViewOf({
  tenantId,
  storyId,
  members,
}: {
  readonly tenantId: string;
  readonly storyId: string;
  readonly members: readonly IncidentView[];
}): StoryView | null {
  const sorted = [...members].sort(byUrgency);
  const lead = sorted[0];
  if (lead === undefined) return null;
  const alertCount = sorted.reduce((sum, m) => sum + m.alertCount, 0);
  const { entities, hostCount } = entitiesOf(sorted);
  return {
    tenantId,
    storyId,
    campaignId: lead.campaignId,
    title: lead.title,
    priority: lead.priority,
    leadIncidentId: lead.incidentId,
    incidentIds: sorted.slice(0, STORY_LIMITS.incidentIds).map((m) => m.incidentId),
    incidentCount: sorted.length,
    openIncidents: sorted.filter((m) => m.status !== 'closed').length,
    alertCount,
    status: storyStatus(sorted),
    escalated: sorted.some((m) => m.escalated),
    rules: unionOf(
      sorted.map((m) => m.rules),
      STORY_LIMITS.rules,
    ),
    tactics: unionOf(
      sorted.map((m) => m.tactics),
      STORY_LIMITS.rules,
    ),
    entities,
    hostCount,
    firstSeen: minOf(sorted.map((m) => m.firstSeen)),
    lastSeen: maxOf(sorted.map((m) => m.lastSeen)),
    summary: summaryOf({ lead, members: sorted, hostCount, alertCount }),
    updatedAt: Math.max(...sorted.map((m) => m.updatedAt)),
  };
}
