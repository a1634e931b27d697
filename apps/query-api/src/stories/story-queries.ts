import type { IncidentStatus, ScoreExplanation } from '@soc/contracts';
import { READ_MODEL_SCHEMA, selectRows, type Queryable, type StoryRow } from '@soc/persistence';
import {
  incidentSummaries,
  scoreBreakdown,
  type IncidentSummary,
} from '../incidents/incident-queries';
import {
  queueConditions,
  queueOrder,
  queuePage,
  type QueueParams,
  type QueueTable,
} from '../incidents/queue-params';

/**
 * Reads of the `stories` read model, each inside `withTenant` (row level security limits it
 * to the caller's tenant; the explicit `tenant_id = $1` is there for the indexes).
 */
const S = READ_MODEL_SCHEMA;
const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** The story queue's parameters: the incident queue's shared ones, plus a minimum size. */
export interface StoryFilter extends QueueParams {
  /** Only stories of at least this many incidents (2: only those joined by campaign links). */
  readonly minIncidents: number | null;
}

export interface StorySummary {
  readonly storyId: string;
  readonly campaignId: string | null;
  readonly title: string;
  readonly status: IncidentStatus;
  readonly priority: number | null;
  readonly leadIncidentId: string;
  readonly incidentIds: readonly string[];
  readonly incidentCount: number;
  readonly openIncidents: number;
  readonly alertCount: number;
  readonly escalated: boolean;
  readonly rules: readonly string[];
  readonly tactics: readonly string[];
  readonly entities: readonly { type: string; value: string; role: string | null }[];
  readonly hostCount: number;
  readonly firstSeen: string | null;
  readonly lastSeen: string | null;
  readonly summary: string;
  readonly updatedAt: string;
}

type Row = Omit<StoryRow, 'tenant_id'>;

const summaryOf = (row: Row): StorySummary => ({
  storyId: row.story_id,
  campaignId: row.campaign_id,
  title: row.title,
  status: row.status,
  priority: row.priority,
  leadIncidentId: row.lead_incident_id,
  incidentIds: row.incident_ids,
  incidentCount: row.incident_count,
  openIncidents: row.open_incidents,
  alertCount: row.alert_count,
  escalated: row.escalated,
  rules: row.rules,
  tactics: row.tactics,
  entities: row.entities,
  hostCount: row.host_count,
  firstSeen: iso(row.first_seen),
  lastSeen: iso(row.last_seen),
  summary: row.summary,
  updatedAt: row.updated_at.toISOString(),
});

const STORY_QUEUE: QueueTable = { alias: 's', id: 'story_id' };

/** The story queue: one item per story, by priority (or last activity), keyset-paginated. */
export async function listStories(
  db: Queryable,
  tenantId: string,
  filter: StoryFilter,
): Promise<{ items: StorySummary[]; nextCursor: string | null }> {
  const params: unknown[] = [tenantId];
  const add = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const where = ['s.tenant_id = $1', ...queueConditions(filter, STORY_QUEUE, add)];
  if (filter.minIncidents !== null) where.push(`s.incident_count >= ${add(filter.minIncidents)}`);
  const rows = await selectRows<Row>(
    db,
    `SELECT * FROM ${S}.stories s WHERE ${where.join(' AND ')}
     ORDER BY ${queueOrder(filter.sort, STORY_QUEUE)} LIMIT ${add(filter.limit + 1)}`,
    params,
  );
  const { page, nextCursor } = queuePage(rows, { ...filter, idOf: (row) => row.story_id });
  return { items: page.map(summaryOf), nextCursor };
}

/** How many members and links the detail shows; the row's counts give the totals. */
const MAX_DETAIL_MEMBERS = 200;

/**
 * One story: its row, its member incidents by priority, why they were joined (each campaign
 * link the correlator made, from the members' timelines) and why the lead ranks where it does.
 */
export async function storyDetail(db: Queryable, tenantId: string, storyId: string) {
  const [row] = await selectRows<Row>(
    db,
    `SELECT * FROM ${S}.stories WHERE tenant_id = $1 AND story_id = $2`,
    [tenantId, storyId],
  );
  if (!row) return null;
  const memberIds = await selectRows<{ incident_id: string }>(
    db,
    `SELECT incident_id FROM ${S}.incidents
     WHERE tenant_id = $1 AND COALESCE(campaign_id, incident_id) = $2 AND merged_into IS NULL AND opened
     ORDER BY COALESCE(priority, -1) DESC, last_seen DESC, incident_id DESC LIMIT ${MAX_DETAIL_MEMBERS}`,
    [tenantId, storyId],
  );
  const ids = memberIds.map((m) => m.incident_id);
  const summaries = new Map(
    (await incidentSummaries(db, tenantId, ids)).map((s) => [s.incidentId, s]),
  );
  const incidents = ids
    .map((id) => summaries.get(id))
    .filter((s): s is IncidentSummary => s !== undefined);
  const links = await selectRows<{
    incident_id: string;
    occurred_at: Date;
    summary: string;
    details: { linkedIncidentIds?: string[]; reason?: string; accumulatedRisk?: number };
  }>(
    db,
    `SELECT incident_id, occurred_at, summary, details FROM ${S}.incident_timeline
     WHERE tenant_id = $1 AND incident_id = ANY($2::text[]) AND type = 'CampaignLinked'
       AND details->>'campaignId' = $3
     ORDER BY occurred_at, incident_id LIMIT ${MAX_DETAIL_MEMBERS}`,
    [tenantId, ids, storyId],
  );
  const [lead] = await selectRows<{
    priority: number | null;
    explanation: ScoreExplanation | null;
  }>(
    db,
    `SELECT priority, explanation FROM ${S}.incidents WHERE tenant_id = $1 AND incident_id = $2`,
    [tenantId, row.lead_incident_id],
  );
  return {
    story: summaryOf(row),
    incidents,
    links: links.map((l) => ({
      incidentId: l.incident_id,
      occurredAt: l.occurred_at.toISOString(),
      linkedIncidentIds: l.details.linkedIncidentIds ?? [],
      reason: l.details.reason ?? l.summary,
      accumulatedRisk: l.details.accumulatedRisk ?? null,
    })),
    leadScore: scoreBreakdown(lead?.priority ?? null, lead?.explanation ?? null),
  };
}
