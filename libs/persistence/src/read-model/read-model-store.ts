import type { AnalystVerdict, EntityType, IncidentStatus, ScoreExplanation } from '@soc/contracts';
import { selectRows, type Queryable } from '../data-source';
import { READ_MODEL_CHANNEL, READ_MODEL_SCHEMA, assertIdentifier } from '../schema';
import {
  incidentKey,
  type EntityTouchRecord,
  type HourlyStatsRecord,
  type IncidentKey,
  type IncidentRecord,
  type ReadModelChanges,
} from './records';

/** Rows per statement: PERFORMANCE.md measured 32-38k rows/s at 100-1,000 rows a statement. */
const DEFAULT_CHUNK = 500;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const ms = (value: Date | null): number | null => (value === null ? null : value.getTime());

/** A row of `incidents` as pg returns it (also what the query API reads). */
export interface IncidentRow {
  tenant_id: string;
  incident_id: string;
  opened: boolean;
  title: string;
  status: IncidentStatus;
  analyst_status: IncidentStatus;
  priority: number | null;
  analyst_priority: number | null;
  explanation: ScoreExplanation | null;
  assignee: string | null;
  verdict: AnalystVerdict | null;
  verdict_notes: string | null;
  alert_count: number;
  repeat_counts: Record<string, number>;
  distinct_rules: number;
  rules: string[];
  tactics: string[];
  entities: IncidentRecord['entities'];
  first_seen: Date | null;
  last_seen: Date | null;
  opened_at: Date | null;
  acknowledged_at: Date | null;
  closed_at: Date | null;
  max_severity: number;
  campaign_id: string | null;
  merged_into: string | null;
  absorbed_incident_ids: string[];
  escalated: boolean;
  correlation_closed_reason: IncidentRecord['correlationClosedReason'];
  last_incident_seq: number;
  last_feedback_seq: number;
  updated_at: Date;
}

/** Column list of `incidents` as json_to_recordset reads it; also the upsert's column order. */
const INCIDENT_COLUMNS: readonly (readonly [string, string])[] = [
  ['tenant_id', 'text'],
  ['incident_id', 'text'],
  ['opened', 'boolean'],
  ['title', 'text'],
  ['status', 'text'],
  ['analyst_status', 'text'],
  ['priority', 'double precision'],
  ['analyst_priority', 'double precision'],
  ['explanation', 'jsonb'],
  ['assignee', 'text'],
  ['verdict', 'text'],
  ['verdict_notes', 'text'],
  ['alert_count', 'integer'],
  ['repeat_counts', 'jsonb'],
  ['distinct_rules', 'integer'],
  ['rules', 'text[]'],
  ['tactics', 'text[]'],
  ['entities', 'jsonb'],
  ['first_seen', 'timestamptz'],
  ['last_seen', 'timestamptz'],
  ['opened_at', 'timestamptz'],
  ['acknowledged_at', 'timestamptz'],
  ['closed_at', 'timestamptz'],
  ['max_severity', 'double precision'],
  ['campaign_id', 'text'],
  ['merged_into', 'text'],
  ['absorbed_incident_ids', 'text[]'],
  ['escalated', 'boolean'],
  ['correlation_closed_reason', 'text'],
  ['last_incident_seq', 'integer'],
  ['last_feedback_seq', 'integer'],
  ['updated_at', 'timestamptz'],
  ['search_text', 'text'],
];

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Words the free-text filter matches: title, ids, rules, tactics, entities, people. */
export function searchTextOf(record: IncidentRecord): string {
  return [
    record.title,
    record.incidentId,
    ...record.rules,
    ...record.tactics,
    ...record.entities.map((e) => e.value),
    record.assignee ?? '',
    record.campaignId ?? '',
    record.verdictNotes ?? '',
  ]
    .filter(Boolean)
    .join(' ');
}

/**
 * Reads and writes the read model of one schema (the live one, or a rebuild's shadow) with
 * set-based statements: json_to_recordset turns one JSON parameter into hundreds of rows, so
 * a batch costs a handful of round trips whatever its size.
 */
export class ReadModelStore {
  readonly schema: string;

  constructor(
    schema: string = READ_MODEL_SCHEMA,
    private readonly chunkSize: number = DEFAULT_CHUNK,
  ) {
    this.schema = assertIdentifier(schema);
  }

  /** Locks the partition's checkpoint row for the transaction and returns its next offset. */
  async lockCheckpoint(
    db: Queryable,
    projection: string,
    topic: string,
    partition: number,
  ): Promise<bigint> {
    await db.query(
      `INSERT INTO ${this.schema}.projection_checkpoints (projection, topic, partition, next_offset)
       VALUES ($1, $2, $3, 0) ON CONFLICT DO NOTHING`,
      [projection, topic, partition],
    );
    const [row] = await selectRows<{ next_offset: string }>(
      db,
      `SELECT next_offset FROM ${this.schema}.projection_checkpoints
       WHERE projection = $1 AND topic = $2 AND partition = $3 FOR UPDATE`,
      [projection, topic, partition],
    );
    if (!row) throw new Error(`checkpoint row for ${topic}/${partition} vanished`);
    return BigInt(row.next_offset);
  }

  async saveCheckpoint(
    db: Queryable,
    projection: string,
    topic: string,
    partition: number,
    nextOffset: bigint,
  ): Promise<void> {
    await db.query(
      `UPDATE ${this.schema}.projection_checkpoints SET next_offset = $4, updated_at = now()
       WHERE projection = $1 AND topic = $2 AND partition = $3`,
      [projection, topic, partition, nextOffset.toString()],
    );
  }

  async readCheckpoints(
    db: Queryable,
    projection: string,
  ): Promise<{ topic: string; partition: number; nextOffset: bigint }[]> {
    const rows = await selectRows<{ topic: string; partition: number; next_offset: string }>(
      db,
      `SELECT topic, partition, next_offset FROM ${this.schema}.projection_checkpoints WHERE projection = $1`,
      [projection],
    );
    return rows.map((r) => ({
      topic: r.topic,
      partition: r.partition,
      nextOffset: BigInt(r.next_offset),
    }));
  }

  /**
   * Serializes writers of the same incidents (the incident and feedback topics are consumed
   * independently) with transaction-scoped advisory locks taken in one global order, which
   * also covers incidents that have no row yet.
   */
  async lockIncidents(db: Queryable, keys: readonly IncidentKey[]): Promise<void> {
    if (keys.length === 0) return;
    await db.query(
      `SELECT pg_advisory_xact_lock(k) FROM (
         SELECT DISTINCT hashtextextended($1 || '/' || x, 0) AS k FROM unnest($2::text[]) AS x ORDER BY 1
       ) AS locks`,
      [this.schema, keys.map((k) => `${k.tenantId}/${k.incidentId}`)],
    );
  }

  async loadIncidents(
    db: Queryable,
    keys: readonly IncidentKey[],
  ): Promise<Map<string, IncidentRecord>> {
    const found = new Map<string, IncidentRecord>();
    for (const part of chunks(keys, this.chunkSize)) {
      const rows = await selectRows<IncidentRow>(
        db,
        `SELECT i.* FROM ${this.schema}.incidents i
         JOIN json_to_recordset($1::json) AS k(tenant_id text, incident_id text)
           ON i.tenant_id = k.tenant_id AND i.incident_id = k.incident_id`,
        [JSON.stringify(part.map((k) => ({ tenant_id: k.tenantId, incident_id: k.incidentId })))],
      );
      for (const row of rows) {
        const record = incidentFromRow(row);
        found.set(incidentKey(record), record);
      }
    }
    return found;
  }

  /** Last applied sequence of streams without an incident row, by `tenant\u0000stream`. */
  async loadStreamPositions(
    db: Queryable,
    streams: readonly { tenantId: string; streamId: string }[],
  ): Promise<Map<string, number>> {
    const positions = new Map<string, number>();
    if (streams.length === 0) return positions;
    const rows = await selectRows<{ tenant_id: string; stream_id: string; last_sequence: number }>(
      db,
      `SELECT p.tenant_id, p.stream_id, p.last_sequence FROM ${this.schema}.stream_positions p
       JOIN json_to_recordset($1::json) AS k(tenant_id text, stream_id text)
         ON p.tenant_id = k.tenant_id AND p.stream_id = k.stream_id`,
      [JSON.stringify(streams.map((k) => ({ tenant_id: k.tenantId, stream_id: k.streamId })))],
    );
    for (const row of rows)
      positions.set(`${row.tenant_id}\u0000${row.stream_id}`, row.last_sequence);
    return positions;
  }

  /** Writes a folded batch: upserts for rows that change, inserts for rows that only append. */
  async write(db: Queryable, changes: ReadModelChanges): Promise<void> {
    await this.upsertIncidents(db, changes.incidents);
    await this.insertAlerts(db, changes);
    await this.insertTimeline(db, changes);
    await this.upsertEntities(db, changes.entityTouches);
    await this.addStats(db, changes.stats);
    await this.saveStreamPositions(db, changes.streamPositions);
  }

  private async saveStreamPositions(
    db: Queryable,
    positions: ReadModelChanges['streamPositions'],
  ): Promise<void> {
    if (positions.length === 0) return;
    await db.query(
      `INSERT INTO ${this.schema}.stream_positions AS p (tenant_id, stream_id, last_sequence)
       SELECT tenant_id, stream_id, last_sequence
       FROM json_to_recordset($1::json) AS r(tenant_id text, stream_id text, last_sequence integer)
       ORDER BY 1, 2
       ON CONFLICT (tenant_id, stream_id) DO UPDATE SET last_sequence = GREATEST(p.last_sequence, EXCLUDED.last_sequence)`,
      [
        JSON.stringify(
          positions.map((p) => ({
            tenant_id: p.tenantId,
            stream_id: p.streamId,
            last_sequence: p.lastSequence,
          })),
        ),
      ],
    );
  }

  /**
   * Tells listeners (the query API's live stream) which incidents changed. NOTIFY is
   * transactional: delivered at commit, dropped on rollback.
   */
  async notify(db: Queryable, incidents: readonly IncidentKey[]): Promise<void> {
    const byTenant = new Map<string, string[]>();
    for (const { tenantId, incidentId } of incidents) {
      const ids = byTenant.get(tenantId) ?? [];
      ids.push(incidentId);
      byTenant.set(tenantId, ids);
    }
    // Payloads are capped at 8 kB; past 100 ids listeners refetch the list instead.
    const payloads = [...byTenant].map(([tenantId, ids]) =>
      JSON.stringify({ tenantId, incidentIds: ids.length > 100 ? [] : ids, count: ids.length }),
    );
    await db.query('SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload', [
      READ_MODEL_CHANNEL,
      payloads,
    ]);
  }

  private async upsertIncidents(
    db: Queryable,
    incidents: readonly IncidentRecord[],
  ): Promise<void> {
    const names = INCIDENT_COLUMNS.map(([name]) => name);
    const definition = INCIDENT_COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ');
    const updates = names
      .filter((name) => name !== 'tenant_id' && name !== 'incident_id')
      .map((name) => `${name} = EXCLUDED.${name}`)
      .join(', ');
    const sorted = [...incidents].sort(byKey);
    for (const part of chunks(sorted, this.chunkSize)) {
      await db.query(
        `INSERT INTO ${this.schema}.incidents (${names.join(', ')})
         SELECT ${names.join(', ')} FROM json_to_recordset($1::json) AS r(${definition})
         ON CONFLICT (tenant_id, incident_id) DO UPDATE SET ${updates}`,
        [JSON.stringify(part.map(incidentToRow))],
      );
    }
  }

  private async insertAlerts(db: Queryable, { alerts }: ReadModelChanges): Promise<void> {
    for (const part of chunks(alerts, this.chunkSize)) {
      const rows = part.map(
        ({ tenantId, incidentId, alert, via, linkedBy, attachedAt, eventId }) => ({
          tenant_id: tenantId,
          incident_id: incidentId,
          alert_id: alert.alertId,
          source_system: alert.sourceSystem,
          observed_at: iso(alert.observedAt),
          ingested_at: iso(alert.ingestedAt),
          product: alert.product,
          rule_id: alert.ruleId,
          rule_name: alert.ruleName,
          title: alert.title,
          severity: alert.severity,
          confidence: alert.confidence,
          category: alert.category,
          tactics: alert.tactics,
          techniques: alert.techniques,
          entities: alert.entities,
          threat_intel: alert.threatIntel,
          linked_by: linkedBy,
          via,
          attached_at: iso(attachedAt),
          event_id: eventId,
        }),
      );
      // The first event to carry an alert into an incident wins; redeliveries change nothing.
      await db.query(
        `INSERT INTO ${this.schema}.incident_alerts
         SELECT * FROM json_to_recordset($1::json) AS r(
           tenant_id text, incident_id text, alert_id text, source_system text,
           observed_at timestamptz, ingested_at timestamptz, product text, rule_id text,
           rule_name text, title text, severity double precision, confidence double precision,
           category text, tactics text[], techniques text[], entities jsonb, threat_intel jsonb,
           linked_by jsonb, via text, attached_at timestamptz, event_id text)
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(rows)],
      );
    }
  }

  private async insertTimeline(db: Queryable, { timeline }: ReadModelChanges): Promise<void> {
    for (const part of chunks(timeline, this.chunkSize)) {
      const rows = part.map((t) => ({
        tenant_id: t.tenantId,
        incident_id: t.incidentId,
        event_id: t.eventId,
        stream: t.stream,
        sequence: t.sequence,
        type: t.type,
        occurred_at: iso(t.occurredAt),
        actor: t.actor,
        causation_id: t.causationId,
        summary: t.summary,
        details: t.details,
      }));
      await db.query(
        `INSERT INTO ${this.schema}.incident_timeline
         SELECT * FROM json_to_recordset($1::json) AS r(
           tenant_id text, incident_id text, event_id text, stream text, sequence integer,
           type text, occurred_at timestamptz, actor text, causation_id text, summary text,
           details jsonb)
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(rows)],
      );
    }
  }

  /**
   * incident_entities keeps first and last sighting per incident; `entities` is recomputed
   * from it for the touched keys, so its counts are right however often a batch is replayed.
   */
  private async upsertEntities(
    db: Queryable,
    touches: readonly EntityTouchRecord[],
  ): Promise<void> {
    const links = new Map<
      string,
      {
        tenant_id: string;
        entity_type: EntityType;
        value: string;
        incident_id: string;
        first: number;
        last: number;
      }
    >();
    for (const t of touches) {
      const key = `${t.tenantId}\u0000${t.type}\u0000${t.value}\u0000${t.incidentId}`;
      const known = links.get(key);
      if (known) {
        known.first = Math.min(known.first, t.seenAt);
        known.last = Math.max(known.last, t.seenAt);
      } else {
        links.set(key, {
          tenant_id: t.tenantId,
          entity_type: t.type,
          value: t.value,
          incident_id: t.incidentId,
          first: t.seenAt,
          last: t.seenAt,
        });
      }
    }
    const sorted = [...links.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, link]) => link);
    for (const part of chunks(sorted, this.chunkSize)) {
      const rows = part.map(({ first, last, ...link }) => ({
        ...link,
        first_seen: iso(first),
        last_seen: iso(last),
      }));
      await db.query(
        `INSERT INTO ${this.schema}.incident_entities (tenant_id, entity_type, value, incident_id, first_seen, last_seen)
         SELECT tenant_id, entity_type, value, incident_id, first_seen, last_seen
         FROM json_to_recordset($1::json) AS r(tenant_id text, entity_type text, value text,
           incident_id text, first_seen timestamptz, last_seen timestamptz)
         ON CONFLICT (tenant_id, entity_type, value, incident_id) DO UPDATE SET
           first_seen = LEAST(incident_entities.first_seen, EXCLUDED.first_seen),
           last_seen = GREATEST(incident_entities.last_seen, EXCLUDED.last_seen)`,
        [JSON.stringify(rows)],
      );
      await db.query(
        `INSERT INTO ${this.schema}.entities (tenant_id, entity_type, value, incident_count, last_seen)
         SELECT ie.tenant_id, ie.entity_type, ie.value, count(*), max(ie.last_seen)
         FROM ${this.schema}.incident_entities ie
         JOIN (SELECT DISTINCT tenant_id, entity_type, value
               FROM json_to_recordset($1::json) AS r(tenant_id text, entity_type text, value text)) k
           ON ie.tenant_id = k.tenant_id AND ie.entity_type = k.entity_type AND ie.value = k.value
         GROUP BY ie.tenant_id, ie.entity_type, ie.value
         ORDER BY 1, 2, 3
         ON CONFLICT (tenant_id, entity_type, value) DO UPDATE SET
           incident_count = EXCLUDED.incident_count, last_seen = EXCLUDED.last_seen`,
        [JSON.stringify(rows)],
      );
    }
  }

  private async addStats(db: Queryable, stats: readonly HourlyStatsRecord[]): Promise<void> {
    const sums = new Map<
      string,
      {
        tenant_id: string;
        hour: number;
        alerts_in: number;
        incidents_opened: number;
        escalations: number;
      }
    >();
    for (const s of stats) {
      const key = `${s.tenantId}\u0000${s.hour}`;
      const sum = sums.get(key) ?? {
        tenant_id: s.tenantId,
        hour: s.hour,
        alerts_in: 0,
        incidents_opened: 0,
        escalations: 0,
      };
      sum.alerts_in += s.alertsIn;
      sum.incidents_opened += s.incidentsOpened;
      sum.escalations += s.escalations;
      sums.set(key, sum);
    }
    const rows = [...sums.values()]
      .sort((a, b) =>
        a.tenant_id === b.tenant_id ? a.hour - b.hour : a.tenant_id < b.tenant_id ? -1 : 1,
      )
      .map((s) => ({ ...s, hour: iso(s.hour) }));
    for (const part of chunks(rows, this.chunkSize)) {
      await db.query(
        `INSERT INTO ${this.schema}.tenant_hourly_stats AS t (tenant_id, hour, alerts_in, incidents_opened, escalations)
         SELECT * FROM json_to_recordset($1::json) AS r(tenant_id text, hour timestamptz,
           alerts_in integer, incidents_opened integer, escalations integer)
         ON CONFLICT (tenant_id, hour) DO UPDATE SET
           alerts_in = t.alerts_in + EXCLUDED.alerts_in,
           incidents_opened = t.incidents_opened + EXCLUDED.incidents_opened,
           escalations = t.escalations + EXCLUDED.escalations`,
        [JSON.stringify(part)],
      );
    }
  }
}

const byKey = (a: IncidentKey, b: IncidentKey): number => {
  const ka = incidentKey(a);
  const kb = incidentKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

function incidentToRow(r: IncidentRecord): Record<string, unknown> {
  return {
    tenant_id: r.tenantId,
    incident_id: r.incidentId,
    opened: r.opened,
    title: r.title,
    status: r.status,
    analyst_status: r.analystStatus,
    priority: r.priority,
    analyst_priority: r.analystPriority,
    explanation: r.explanation,
    assignee: r.assignee,
    verdict: r.verdict,
    verdict_notes: r.verdictNotes,
    alert_count: r.alertCount,
    repeat_counts: r.repeatCounts,
    distinct_rules: r.distinctRules,
    rules: r.rules,
    tactics: r.tactics,
    entities: r.entities,
    first_seen: iso(r.firstSeen),
    last_seen: iso(r.lastSeen),
    opened_at: iso(r.openedAt),
    acknowledged_at: iso(r.acknowledgedAt),
    closed_at: iso(r.closedAt),
    max_severity: r.maxSeverity,
    campaign_id: r.campaignId,
    merged_into: r.mergedInto,
    absorbed_incident_ids: r.absorbedIncidentIds,
    escalated: r.escalated,
    correlation_closed_reason: r.correlationClosedReason,
    last_incident_seq: r.lastIncidentSeq,
    last_feedback_seq: r.lastFeedbackSeq,
    updated_at: iso(r.updatedAt),
    search_text: searchTextOf(r),
  };
}

function incidentFromRow(row: IncidentRow): IncidentRecord {
  return {
    tenantId: row.tenant_id,
    incidentId: row.incident_id,
    opened: row.opened,
    title: row.title,
    priority: row.priority,
    explanation: row.explanation,
    alertCount: row.alert_count,
    repeatCounts: row.repeat_counts,
    distinctRules: row.distinct_rules,
    rules: row.rules,
    tactics: row.tactics,
    entities: row.entities,
    firstSeen: ms(row.first_seen),
    lastSeen: ms(row.last_seen),
    openedAt: ms(row.opened_at),
    maxSeverity: row.max_severity,
    campaignId: row.campaign_id,
    mergedInto: row.merged_into,
    absorbedIncidentIds: row.absorbed_incident_ids,
    escalated: row.escalated,
    correlationClosedReason: row.correlation_closed_reason,
    lastIncidentSeq: row.last_incident_seq,
    analystStatus: row.analyst_status,
    assignee: row.assignee,
    verdict: row.verdict,
    verdictNotes: row.verdict_notes,
    analystPriority: row.analyst_priority,
    acknowledgedAt: ms(row.acknowledged_at),
    closedAt: ms(row.closed_at),
    lastFeedbackSeq: row.last_feedback_seq,
    status: row.status,
    updatedAt: row.updated_at.getTime(),
  };
}
