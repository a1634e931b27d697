import type { AnalystVerdict, IncidentStatus, ScoreExplanation } from '@soc/contracts';
import { indicatorVerdicts } from '@soc/domain';
import {
  READ_MODEL_SCHEMA,
  selectRows,
  type IncidentRow as StoredIncidentRow,
  type Queryable,
  type TenantReader,
} from '@soc/persistence';
import {
  queueConditions,
  queueOrder,
  queuePage,
  type QueueParams,
  type QueueTable,
} from './queue-params';

/**
 * Read-model queries. Every function runs inside `withTenant`, so row level security limits
 * it to the caller's tenant; the explicit `tenant_id = $1` is there for the indexes.
 */
const S = READ_MODEL_SCHEMA;
const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** The incident queue's parameters: the shared ones, plus entity, text and merged incidents. */
export interface IncidentFilter extends QueueParams {
  readonly entity: { readonly type: string; readonly value: string } | null;
  readonly text: string | null;
  readonly includeMerged: boolean;
}

/** The `incidents` columns the queries read. */
type IncidentRow = Omit<StoredIncidentRow, 'tenant_id' | 'opened' | 'analyst_status'>;

export interface IncidentSummary {
  readonly incidentId: string;
  readonly title: string;
  readonly status: IncidentStatus;
  readonly priority: number | null;
  readonly analystPriority: number | null;
  readonly alertCount: number;
  readonly distinctRules: number;
  readonly rules: readonly string[];
  readonly tactics: readonly string[];
  readonly entities: readonly { type: string; value: string; role: string | null }[];
  readonly firstSeen: string | null;
  readonly lastSeen: string | null;
  readonly openedAt: string | null;
  readonly acknowledgedAt: string | null;
  readonly closedAt: string | null;
  readonly assignee: string | null;
  readonly verdict: AnalystVerdict | null;
  readonly maxSeverity: number;
  readonly campaignId: string | null;
  readonly mergedInto: string | null;
  readonly escalated: boolean;
  readonly correlationClosedReason: string | null;
  readonly updatedAt: string;
}

const LIST_COLUMNS = `incident_id, title, status, priority, analyst_priority, assignee, verdict, alert_count,
  distinct_rules, rules, tactics, entities, first_seen, last_seen, opened_at, acknowledged_at, closed_at,
  max_severity, campaign_id, merged_into, escalated, correlation_closed_reason, updated_at`;

export function summaryOf(
  row: Omit<
    IncidentRow,
    | 'explanation'
    | 'verdict_notes'
    | 'absorbed_incident_ids'
    | 'repeat_counts'
    | 'last_incident_seq'
    | 'last_feedback_seq'
  >,
): IncidentSummary {
  return {
    incidentId: row.incident_id,
    title: row.title,
    status: row.status,
    priority: row.priority,
    analystPriority: row.analyst_priority,
    alertCount: row.alert_count,
    distinctRules: row.distinct_rules,
    rules: row.rules,
    tactics: row.tactics,
    entities: row.entities,
    firstSeen: iso(row.first_seen),
    lastSeen: iso(row.last_seen),
    openedAt: iso(row.opened_at),
    acknowledgedAt: iso(row.acknowledged_at),
    closedAt: iso(row.closed_at),
    assignee: row.assignee,
    verdict: row.verdict,
    maxSeverity: row.max_severity,
    campaignId: row.campaign_id,
    mergedInto: row.merged_into,
    escalated: row.escalated,
    correlationClosedReason: row.correlation_closed_reason,
    updatedAt: row.updated_at.toISOString(),
  };
}

const INCIDENT_QUEUE: QueueTable = { alias: 'i', id: 'incident_id' };

export async function listIncidents(
  db: Queryable,
  tenantId: string,
  filter: IncidentFilter,
): Promise<{ items: IncidentSummary[]; nextCursor: string | null }> {
  const params: unknown[] = [tenantId];
  const add = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const where = ['i.tenant_id = $1', 'i.opened', ...queueConditions(filter, INCIDENT_QUEUE, add)];
  if (!filter.includeMerged) where.push('i.merged_into IS NULL');
  if (filter.text !== null)
    where.push(`i.search @@ websearch_to_tsquery('simple', ${add(filter.text)})`);
  if (filter.entity !== null) {
    where.push(
      `EXISTS (SELECT 1 FROM ${S}.incident_entities ie WHERE ie.tenant_id = i.tenant_id AND ie.incident_id = i.incident_id
        AND ie.entity_type = ${add(filter.entity.type)} AND ie.value = ${add(filter.entity.value)})`,
    );
  }
  const rows = await selectRows<IncidentRow>(
    db,
    `SELECT ${LIST_COLUMNS} FROM ${S}.incidents i WHERE ${where.join(' AND ')}
     ORDER BY ${queueOrder(filter.sort, INCIDENT_QUEUE)} LIMIT ${add(filter.limit + 1)}`,
    params,
  );
  const { page, nextCursor } = queuePage(rows, { ...filter, idOf: (row) => row.incident_id });
  return { items: page.map(summaryOf), nextCursor };
}

export async function incidentSummaries(
  db: Queryable,
  tenantId: string,
  incidentIds: readonly string[],
): Promise<IncidentSummary[]> {
  if (incidentIds.length === 0) return [];
  const rows = await selectRows<IncidentRow>(
    db,
    `SELECT ${LIST_COLUMNS} FROM ${S}.incidents WHERE tenant_id = $1 AND incident_id = ANY($2::text[]) AND opened`,
    [tenantId, incidentIds],
  );
  return rows.map(summaryOf);
}

interface AlertRow {
  incident_id: string;
  alert_id: string;
  source_system: string;
  observed_at: Date;
  ingested_at: Date;
  product: string | null;
  rule_id: string | null;
  rule_name: string | null;
  title: string;
  severity: number;
  confidence: number | null;
  category: string | null;
  tactics: string[];
  techniques: string[];
  entities: unknown;
  threat_intel: unknown;
  linked_by: unknown;
  via: string;
  attached_at: Date;
}

const alertOf = (row: AlertRow) => ({
  alertId: row.alert_id,
  incidentId: row.incident_id,
  sourceSystem: row.source_system,
  observedAt: row.observed_at.toISOString(),
  ingestedAt: row.ingested_at.toISOString(),
  product: row.product,
  ruleId: row.rule_id,
  ruleName: row.rule_name,
  title: row.title,
  severity: row.severity,
  confidence: row.confidence,
  category: row.category,
  tactics: row.tactics,
  techniques: row.techniques,
  entities: row.entities,
  threatIntel: row.threat_intel,
  linkedBy: row.linked_by,
  via: row.via,
  attachedAt: row.attached_at.toISOString(),
});

export type AlertView = ReturnType<typeof alertOf>;

const MAX_DETAIL_ALERTS = 500;

interface EntityRow {
  readonly entity_type: string;
  readonly value: string;
  readonly first_seen: Date;
  readonly last_seen: Date;
  readonly incident_count: number | null;
  readonly criticality: number | null;
  readonly owner: string | null;
  readonly tags: string[] | null;
}

interface TimelineRow {
  readonly event_id: string;
  readonly stream: string;
  readonly sequence: number;
  readonly type: string;
  readonly occurred_at: Date;
  readonly actor: string;
  readonly summary: string;
  readonly details: unknown;
}

/** An incident with everything the analyst needs on one screen, read in one round trip. */
export async function incidentDetail(db: TenantReader, tenantId: string, incidentId: string) {
  const parameters = [tenantId, incidentId];
  // Alerts of incidents merged into this one belong to it now: those it absorbed, and those
  // whose merge into it is projected before its own absorption is.
  const members = `SELECT $2::text AS incident_id
     UNION SELECT unnest(absorbed_incident_ids) FROM ${S}.incidents WHERE tenant_id = $1 AND incident_id = $2
     UNION SELECT incident_id FROM ${S}.incidents WHERE tenant_id = $1 AND merged_into = $2`;
  const [rows, alerts, alertTotal, entities, timeline] = (await db.queryEach([
    {
      sql: `SELECT * FROM ${S}.incidents WHERE tenant_id = $1 AND incident_id = $2 AND opened`,
      parameters,
    },
    {
      sql: `SELECT * FROM ${S}.incident_alerts WHERE tenant_id = $1 AND incident_id IN (${members})
       ORDER BY observed_at, alert_id LIMIT ${MAX_DETAIL_ALERTS}`,
      parameters,
    },
    {
      sql: `SELECT count(*)::int AS n FROM ${S}.incident_alerts WHERE tenant_id = $1 AND incident_id IN (${members})`,
      parameters,
    },
    {
      sql: `SELECT ie.entity_type, ie.value, ie.first_seen, ie.last_seen, e.incident_count, a.criticality, a.owner, a.tags
       FROM ${S}.incident_entities ie
       LEFT JOIN ${S}.entities e ON e.tenant_id = ie.tenant_id AND e.entity_type = ie.entity_type AND e.value = ie.value
       LEFT JOIN public.assets a ON a.tenant_id = ie.tenant_id AND a.entity_type = ie.entity_type AND a.value = ie.value
       WHERE ie.tenant_id = $1 AND ie.incident_id = $2
       ORDER BY a.criticality DESC NULLS LAST, ie.entity_type, ie.value`,
      parameters,
    },
    {
      sql: `SELECT event_id, stream, sequence, type, occurred_at, actor, summary, details FROM ${S}.incident_timeline
       WHERE tenant_id = $1 AND incident_id = $2 ORDER BY occurred_at, stream DESC, sequence`,
      parameters,
    },
  ])) as [IncidentRow[], AlertRow[], { n: number }[], EntityRow[], TimelineRow[]];
  const row = rows[0];
  if (!row) return null;

  return {
    incident: {
      ...summaryOf(row),
      verdictNotes: row.verdict_notes,
      absorbedIncidentIds: row.absorbed_incident_ids,
      repeatCounts: row.repeat_counts,
      lastIncidentSeq: row.last_incident_seq,
      lastFeedbackSeq: row.last_feedback_seq,
    },
    score: scoreBreakdown(row.priority, row.explanation),
    alerts: alerts.map(alertOf),
    alertsTotal: alertTotal[0]?.n ?? alerts.length,
    entities: entities.map((e) => ({
      type: e.entity_type,
      value: e.value,
      firstSeen: e.first_seen.toISOString(),
      lastSeen: e.last_seen.toISOString(),
      incidentCount: e.incident_count ?? 1,
      asset:
        e.criticality === null
          ? null
          : { criticality: e.criticality, owner: e.owner, tags: e.tags ?? [] },
    })),
    // Each indicator's threat-intel verdicts, from the IntelVerdictApplied entries.
    intel: indicatorVerdicts(timeline),
    timeline: timeline.map((t) => ({
      eventId: t.event_id,
      stream: t.stream,
      sequence: t.sequence,
      type: t.type,
      occurredAt: t.occurred_at.toISOString(),
      actor: t.actor,
      summary: t.summary,
      details: t.details,
    })),
  };
}

/** The explanation as bars: each factor's points and each adjustment, largest first. */
export function scoreBreakdown(priority: number | null, explanation: ScoreExplanation | null) {
  if (!explanation)
    return { priority, summary: null, factors: [], adjustments: [], weightedSum: null };
  const factors = [...explanation.factors]
    .sort((a, b) => b.contribution - a.contribution)
    .map((f) => ({
      name: f.name,
      raw: f.raw,
      weight: f.weight,
      points: f.contribution,
      reason: f.reason,
    }));
  const weightedSum = factors.reduce((sum, f) => sum + f.points, 0);
  return {
    priority,
    summary: explanation.summary,
    factors,
    adjustments: explanation.adjustments.map((a) => ({
      name: a.name,
      points: a.points,
      reason: a.reason,
    })),
    weightedSum,
  };
}

export async function alertDetail(db: Queryable, tenantId: string, alertId: string) {
  const rows = await selectRows<
    AlertRow & { incident_title: string; incident_status: string; incident_priority: number | null }
  >(
    db,
    `SELECT a.*, i.title AS incident_title, i.status AS incident_status, i.priority AS incident_priority
     FROM ${S}.incident_alerts a
     JOIN ${S}.incidents i ON i.tenant_id = a.tenant_id AND i.incident_id = a.incident_id
     WHERE a.tenant_id = $1 AND a.alert_id = $2 ORDER BY a.attached_at`,
    [tenantId, alertId],
  );
  const [first] = rows;
  if (!first) return null;
  return {
    alert: alertOf(first),
    incidents: rows.map((r) => ({
      incidentId: r.incident_id,
      title: r.incident_title,
      status: r.incident_status,
      priority: r.incident_priority,
      via: r.via,
      linkedBy: r.linked_by,
    })),
  };
}

/** The incident an alert belongs to (the one it was first attached to and not merged away). */
export async function incidentOfAlert(
  db: Queryable,
  tenantId: string,
  alertId: string,
): Promise<string | null> {
  const [row] = await selectRows<{ incident_id: string; merged_into: string | null }>(
    db,
    `SELECT a.incident_id, i.merged_into FROM ${S}.incident_alerts a
     JOIN ${S}.incidents i ON i.tenant_id = a.tenant_id AND i.incident_id = a.incident_id
     WHERE a.tenant_id = $1 AND a.alert_id = $2 AND a.via <> 'suppressed'
     ORDER BY (i.merged_into IS NULL) DESC, a.attached_at LIMIT 1`,
    [tenantId, alertId],
  );
  return row ? (row.merged_into ?? row.incident_id) : null;
}

export async function entityView(
  db: Queryable,
  tenantId: string,
  type: string,
  value: string,
  limit: number,
) {
  const [entity] = await selectRows<{ incident_count: number; last_seen: Date }>(
    db,
    `SELECT incident_count, last_seen FROM ${S}.entities WHERE tenant_id = $1 AND entity_type = $2 AND value = $3`,
    [tenantId, type, value],
  );
  const [asset] = await selectRows<{ criticality: number; owner: string | null; tags: string[] }>(
    db,
    `SELECT criticality, owner, tags FROM public.assets WHERE tenant_id = $1 AND entity_type = $2 AND value = $3`,
    [tenantId, type, value],
  );
  if (!entity && !asset) return null;
  const incidents = await selectRows<IncidentRow>(
    db,
    `SELECT ${LIST_COLUMNS.split(',')
      .map((c) => `i.${c.trim()}`)
      .join(', ')}
     FROM ${S}.incident_entities ie
     JOIN ${S}.incidents i ON i.tenant_id = ie.tenant_id AND i.incident_id = ie.incident_id
     WHERE ie.tenant_id = $1 AND ie.entity_type = $2 AND ie.value = $3 AND i.opened
     ORDER BY i.last_seen DESC, i.incident_id DESC LIMIT $4`,
    [tenantId, type, value, limit],
  );
  return {
    entity: {
      type,
      value,
      incidentCount: entity?.incident_count ?? 0,
      lastSeen: iso(entity?.last_seen ?? null),
    },
    asset: asset ? { criticality: asset.criticality, owner: asset.owner, tags: asset.tags } : null,
    incidents: incidents.map(summaryOf),
  };
}

export const PRIORITY_BANDS = [
  { band: 'critical', min: 80, max: null },
  { band: 'high', min: 60, max: 80 },
  { band: 'medium', min: 40, max: 60 },
  { band: 'low', min: 0, max: 40 },
] as const;

export const STATS_BUCKETS = ['hour', 'minute'] as const;
export type StatsBucket = (typeof STATS_BUCKETS)[number];

/** Alerts in, incidents opened and escalations per minute of [from, to), minutes without any left out. */
async function perMinute(db: Queryable, range: string[]) {
  const rows = await selectRows<{
    minute: Date;
    alerts_in: number;
    incidents_opened: number;
    escalations: number;
  }>(
    db,
    `SELECT minute, alerts_in, incidents_opened, escalations FROM ${S}.tenant_minute_stats
       WHERE tenant_id = $1 AND minute >= date_trunc('minute', $2::timestamptz) AND minute < $3 ORDER BY minute`,
    range,
  );
  return rows.map((m) => ({
    minute: m.minute.toISOString(),
    alertsIn: m.alerts_in,
    incidentsOpened: m.incidents_opened,
    escalations: m.escalations,
  }));
}

type Counters = { alertsIn: number; incidentsOpened: number; escalations: number };

function totalsOf(buckets: readonly Counters[]) {
  const alertsIn = buckets.reduce((sum, b) => sum + b.alertsIn, 0);
  const incidentsOpened = buckets.reduce((sum, b) => sum + b.incidentsOpened, 0);
  return {
    alertsIn,
    incidentsOpened,
    escalations: buckets.reduce((sum, b) => sum + b.escalations, 0),
    /** Alerts per incident: how much the correlation condensed the queue. */
    alertsPerIncident: incidentsOpened > 0 ? alertsIn / incidentsOpened : null,
    noiseReduction: alertsIn > 0 ? 1 - incidentsOpened / alertsIn : null,
  };
}

export async function tenantStats(
  db: Queryable,
  tenantId: string,
  {
    from,
    to,
    bucket,
  }: { readonly from: number; readonly to: number; readonly bucket: StatsBucket },
) {
  const range = [tenantId, new Date(from).toISOString(), new Date(to).toISOString()];
  const hourly = await selectRows<{
    hour: Date;
    alerts_in: number;
    incidents_opened: number;
    escalations: number;
  }>(
    db,
    `SELECT hour, alerts_in, incidents_opened, escalations FROM ${S}.tenant_hourly_stats
       WHERE tenant_id = $1 AND hour >= date_trunc('hour', $2::timestamptz) AND hour < $3 ORDER BY hour`,
    range,
  );
  const bands = await selectRows<{ band: string; n: number }>(
    db,
    `SELECT CASE WHEN priority IS NULL THEN 'unscored' WHEN priority >= 80 THEN 'critical' WHEN priority >= 60 THEN 'high'
                   WHEN priority >= 40 THEN 'medium' ELSE 'low' END AS band, count(*)::int AS n
       FROM ${S}.incidents
       WHERE tenant_id = $1 AND opened AND merged_into IS NULL AND last_seen >= $2 AND first_seen < $3
       GROUP BY 1`,
    range,
  );
  const mtta = await selectRows<{
    n: number;
    mean_ms: number | null;
    p50_ms: number | null;
    p90_ms: number | null;
  }>(
    db,
    `SELECT count(*)::int AS n,
              avg(extract(epoch FROM acknowledged_at - opened_at) * 1000)::float8 AS mean_ms,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM acknowledged_at - opened_at) * 1000)::float8 AS p50_ms,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM acknowledged_at - opened_at) * 1000)::float8 AS p90_ms
       FROM ${S}.incidents
       WHERE tenant_id = $1 AND acknowledged_at IS NOT NULL AND opened_at IS NOT NULL
         AND acknowledged_at >= $2 AND acknowledged_at < $3`,
    range,
  );
  const hours = hourly.map((h) => ({
    hour: h.hour.toISOString(),
    alertsIn: h.alerts_in,
    incidentsOpened: h.incidents_opened,
    escalations: h.escalations,
  }));
  const minutes = bucket === 'minute' ? await perMinute(db, range) : null;
  const counts = new Map(bands.map((b) => [b.band, b.n]));
  const m = mtta[0];
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    ...(minutes === null ? {} : { perMinute: minutes }),
    hourly: hours,
    // Per minute, the totals are the range's own; per hour, of the whole hours it touches.
    totals: totalsOf(minutes ?? hours),
    priorityDistribution: [...PRIORITY_BANDS.map((b) => b.band), 'unscored'].map((band) => ({
      band,
      count: counts.get(band) ?? 0,
    })),
    timeToAcknowledge: {
      acknowledged: m?.n ?? 0,
      meanMs: m?.mean_ms ?? null,
      p50Ms: m?.p50_ms ?? null,
      p90Ms: m?.p90_ms ?? null,
    },
  };
}
