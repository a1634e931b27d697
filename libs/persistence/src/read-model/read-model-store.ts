import type { EntityTouch, HourlyStatsDelta, IncidentView, StoryView } from '@soc/domain';
import { selectRows, type EntityManager, type Queryable } from '../data-source';
import { READ_MODEL_CHANNEL, READ_MODEL_SCHEMA, assertIdentifier } from '../schema';
import { inlineParameters } from '../sql-literals';
import { columnNames, fromRow, recordsetDefinition, toRow, type TableSpec } from './columns';
import {
  incidentKey,
  storyKey,
  type IncidentKey,
  type ReadModelChanges,
  type StoryKey,
} from './records';
import {
  INCIDENTS,
  INCIDENT_ALERTS,
  INCIDENT_ENTITIES,
  INCIDENT_TIMELINE,
  PROJECTION_CHECKPOINTS,
  STORIES,
  STREAM_POSITIONS,
  TENANT_CONFIG_HISTORY,
  TENANT_HOURLY_STATS,
  TENANT_MINUTE_STATS,
  flattenAlert,
  type EntityLink,
  type IncidentRow,
  type StreamPosition,
} from './tables';
import { createStagingTablesSql, stageRows, takeStagedSql } from './staging';

/**
 * Keys per lookup statement and rows per piece of COPY text: thousands, so a batch of tens of
 * thousands of events costs a few round trips per lookup and no string holds the whole batch.
 */
const DEFAULT_CHUNK = 5_000;

/**
 * The tables a batch's rows are COPYed into staging for: COPY's text costs PostgreSQL about a
 * third of what json_to_recordset's JSON does for the same incident rows, and the statement
 * that moves them into the indexed table keeps its ON CONFLICT rule.
 */
const STAGED_WRITES = [
  INCIDENTS,
  INCIDENT_ALERTS,
  INCIDENT_TIMELINE,
  INCIDENT_ENTITIES,
  TENANT_CONFIG_HISTORY,
];

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Reads and writes the read model of one schema (the live one, or a rebuild's shadow) with
 * set-based statements, so a batch costs a handful of round trips whatever its size: lookups
 * take their keys as one JSON parameter (json_to_recordset); writes COPY the batch's rows into
 * temporary staging tables (staging.ts) and move them into the read model with statements
 * sent together in one message.
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
    // One statement: the upsert creates the row on first use and, as an update, locks it.
    const [row] = await selectRows<{ next_offset: string }>(
      db,
      `INSERT INTO ${this.schema}.projection_checkpoints AS c (projection, topic, partition, next_offset)
       VALUES ($1, $2, $3, 0)
       ON CONFLICT (projection, topic, partition) DO UPDATE SET next_offset = c.next_offset
       RETURNING c.next_offset`,
      [projection, topic, partition],
    );
    if (!row) throw new Error(`the checkpoint upsert for ${topic}/${partition} returned no row`);
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
    const rows = await selectRows<Record<string, unknown>>(
      db,
      `SELECT * FROM ${this.schema}.projection_checkpoints WHERE projection = $1`,
      [projection],
    );
    return rows.map((row) => {
      const { topic, partition, nextOffset } = fromRow(PROJECTION_CHECKPOINTS, row);
      return { topic, partition, nextOffset };
    });
  }

  /**
   * Serializes writers of the same incidents and stories (the incident and feedback topics are
   * consumed independently) with one transaction-scoped advisory lock per tenant, taken in one
   * global order; it also covers incidents that have no row yet, and a story's members are all
   * of its tenant. Both topics are keyed by tenant, so transactions of one topic never wait on
   * each other, and a transaction holds as many locks as it has tenants: a lock per incident
   * filled PostgreSQL's shared lock table (max_locks_per_transaction) in large batches.
   */
  async lockIncidents(db: Queryable, keys: readonly IncidentKey[]): Promise<void> {
    const tenants = [...new Set(keys.map((k) => k.tenantId))];
    if (tenants.length === 0) return;
    await db.query(
      `SELECT pg_advisory_xact_lock(k) FROM (
         SELECT DISTINCT hashtextextended($1 || '/' || x, 0) AS k FROM unnest($2::text[]) AS x ORDER BY 1
       ) AS locks`,
      [this.schema, tenants],
    );
  }

  async loadIncidents(
    db: Queryable,
    keys: readonly IncidentKey[],
  ): Promise<Map<string, IncidentView>> {
    const found = new Map<string, IncidentView>();
    for (const part of chunks(keys, this.chunkSize)) {
      const rows = await selectRows<IncidentRow>(
        db,
        `SELECT i.* FROM ${this.schema}.incidents i
         JOIN json_to_recordset($1::json) AS k(tenant_id text, incident_id text)
           ON i.tenant_id = k.tenant_id AND i.incident_id = k.incident_id`,
        [JSON.stringify(part.map((k) => ({ tenant_id: k.tenantId, incident_id: k.incidentId })))],
      );
      for (const row of rows) {
        const view = fromRow(INCIDENTS, row);
        found.set(incidentKey(view), view);
      }
    }
    return found;
  }

  /**
   * The incident rows that are members of the stories, as this transaction sees them: opened,
   * not merged away, and whose campaign (or own id, without one) is the story id.
   */
  async loadStoryMembers(
    db: Queryable,
    keys: readonly StoryKey[],
  ): Promise<Map<string, IncidentView[]>> {
    const members = new Map<string, IncidentView[]>();
    for (const part of chunks(keys, this.chunkSize)) {
      const rows = await selectRows<IncidentRow & { story_id: string }>(
        db,
        `SELECT i.*, k.story_id FROM ${this.schema}.incidents i
         JOIN json_to_recordset($1::json) AS k(tenant_id text, story_id text)
           ON i.tenant_id = k.tenant_id AND COALESCE(i.campaign_id, i.incident_id) = k.story_id
         WHERE i.merged_into IS NULL AND i.opened`,
        [JSON.stringify(part.map((k) => ({ tenant_id: k.tenantId, story_id: k.storyId })))],
      );
      for (const row of rows) {
        const view = fromRow(INCIDENTS, row);
        const key = storyKey({ tenantId: view.tenantId, storyId: row.story_id });
        members.set(key, [...(members.get(key) ?? []), view]);
      }
    }
    return members;
  }

  /**
   * Writes the recomputed stories and deletes those left without members, in the transaction
   * of `db` (staging needs its connection).
   */
  async writeStories(
    db: EntityManager,
    {
      stories,
      emptied,
    }: { readonly stories: readonly StoryView[]; readonly emptied: readonly StoryKey[] },
  ): Promise<void> {
    const statements: string[] = [];
    if (stories.length > 0) {
      await db.query(createStagingTablesSql([STORIES]));
      const rows = stories.map((story) => toRow(STORIES, story));
      await stageRows(db, { spec: STORIES, rows, chunkRows: this.chunkSize });
      statements.push(this.upsertStagedSql(STORIES));
    }
    if (emptied.length > 0) {
      const keys = emptied.map((k) => ({ tenant_id: k.tenantId, story_id: k.storyId }));
      statements.push(
        inlineParameters(
          `DELETE FROM ${this.schema}.stories s USING json_to_recordset($1::json) AS k(tenant_id text, story_id text)
           WHERE s.tenant_id = k.tenant_id AND s.story_id = k.story_id`,
          [JSON.stringify(keys)],
        ),
      );
    }
    if (statements.length > 0) await db.query(statements.join(';\n'));
  }

  /** Last applied sequence of streams without an incident row, by `tenant\u0000stream`. */
  async loadStreamPositions(
    db: Queryable,
    streams: readonly { tenantId: string; streamId: string }[],
  ): Promise<Map<string, number>> {
    const positions = new Map<string, number>();
    if (streams.length === 0) return positions;
    const rows = await selectRows<Record<string, unknown>>(
      db,
      `SELECT p.* FROM ${this.schema}.stream_positions p
       JOIN json_to_recordset($1::json) AS k(tenant_id text, stream_id text)
         ON p.tenant_id = k.tenant_id AND p.stream_id = k.stream_id`,
      [JSON.stringify(streams.map((k) => ({ tenant_id: k.tenantId, stream_id: k.streamId })))],
    );
    for (const row of rows) {
      const { tenantId, streamId, lastSequence } = fromRow(STREAM_POSITIONS, row);
      positions.set(`${tenantId}\u0000${streamId}`, lastSequence);
    }
    return positions;
  }

  /**
   * Writes a folded batch in the transaction of `db`: upserts for rows that change, inserts for
   * rows that only append. The rows are COPYed into staging first; then every statement goes
   * out in one message (the few counter and stream-position rows inline, as literals).
   */
  async write(db: EntityManager, changes: ReadModelChanges): Promise<void> {
    const staged = [
      { spec: INCIDENTS, rows: changes.incidents.map((view) => toRow(INCIDENTS, view)) },
      {
        spec: INCIDENT_ALERTS,
        rows: firstOfEachKey(
          INCIDENT_ALERTS,
          changes.alerts.map((alert) => toRow(INCIDENT_ALERTS, flattenAlert(alert))),
        ),
      },
      {
        spec: INCIDENT_TIMELINE,
        rows: firstOfEachKey(
          INCIDENT_TIMELINE,
          changes.timeline.map((entry) => toRow(INCIDENT_TIMELINE, entry)),
        ),
      },
      {
        spec: INCIDENT_ENTITIES,
        rows: entityLinks(changes.entityTouches).map((link) => toRow(INCIDENT_ENTITIES, link)),
      },
      {
        spec: TENANT_CONFIG_HISTORY,
        rows: firstOfEachKey(
          TENANT_CONFIG_HISTORY,
          changes.configHistory.map((version) => toRow(TENANT_CONFIG_HISTORY, version)),
        ),
      },
    ].filter((table) => table.rows.length > 0);
    if (staged.length > 0) await db.query(createStagingTablesSql(STAGED_WRITES));
    for (const { spec, rows } of staged) {
      await stageRows(db, { spec, rows, chunkRows: this.chunkSize });
    }
    const statements = [
      ...staged.map(({ spec }) => this.moveStagedSql(spec)),
      ...this.addStatsSql(changes.stats),
      ...this.saveStreamPositionsSql(changes.streamPositions),
    ];
    if (statements.length > 0) await db.query(statements.join(';\n'));
  }

  /** The statement that moves a staged table's rows into the read model, by its rule. */
  private moveStagedSql(spec: (typeof STAGED_WRITES)[number]): string {
    if (spec === INCIDENTS) return this.upsertStagedSql(INCIDENTS);
    if (spec === INCIDENT_ENTITIES) return this.upsertEntitiesSql();
    return this.insertOnceSql(spec);
  }

  private saveStreamPositionsSql(positions: readonly StreamPosition[]): string[] {
    if (positions.length === 0) return [];
    return [
      inlineParameters(
        `INSERT INTO ${this.schema}.stream_positions AS p (${columnNames(STREAM_POSITIONS).join(', ')})
         SELECT * FROM json_to_recordset($1::json) AS r(${recordsetDefinition(STREAM_POSITIONS)})
         ORDER BY 1, 2
         ON CONFLICT (tenant_id, stream_id) DO UPDATE SET last_sequence = GREATEST(p.last_sequence, EXCLUDED.last_sequence)`,
        [JSON.stringify(positions.map((p) => toRow(STREAM_POSITIONS, p)))],
      ),
    ];
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

  /**
   * Rows that change: each staged row replaces the one of its key, in key order. The staged
   * rows have one per key (one view per incident, one story per key).
   */
  private upsertStagedSql(spec: typeof INCIDENTS | typeof STORIES): string {
    const names = columnNames(spec);
    const updates = names
      .filter((name) => !spec.primaryKey.includes(name))
      .map((name) => `${name} = EXCLUDED.${name}`)
      .join(', ');
    const key = spec.primaryKey.join(', ');
    return `WITH staged AS (${takeStagedSql(spec)})
      INSERT INTO ${this.schema}.${spec.table} (${names.join(', ')})
      SELECT ${names.join(', ')} FROM staged ORDER BY ${key}
      ON CONFLICT (${key}) DO UPDATE SET ${updates}`;
  }

  /**
   * Rows that only append: the first event to carry a row wins (firstOfEachKey leaves one
   * staged row per key); redeliveries change nothing.
   */
  private insertOnceSql(spec: StagedTableSpec): string {
    const names = columnNames(spec).join(', ');
    return `WITH staged AS (${takeStagedSql(spec)})
      INSERT INTO ${this.schema}.${spec.table} (${names})
      SELECT ${names} FROM staged
      ON CONFLICT DO NOTHING`;
  }

  /**
   * incident_entities keeps first and last sighting per incident; `entities` counts the links,
   * incremented by the links this statement creates (a touch of a link that exists only widens
   * its sightings), so a replayed batch adds nothing and no batch recounts an entity's
   * incidents. Writers of one incident's links are serialized by the incident locks; the
   * counter upsert takes each `entities` row's lock, so concurrent increments add up.
   */
  private upsertEntitiesSql(): string {
    const names = columnNames(INCIDENT_ENTITIES).join(', ');
    const link =
      'ie.tenant_id = t.tenant_id AND ie.entity_type = t.entity_type AND ie.value = t.value AND ie.incident_id = t.incident_id';
    return `WITH touched AS (${takeStagedSql(INCIDENT_ENTITIES)}), created AS (
        INSERT INTO ${this.schema}.incident_entities (${names}) SELECT ${names} FROM touched
        ORDER BY tenant_id, entity_type, value, incident_id
        ON CONFLICT DO NOTHING RETURNING tenant_id, entity_type, value
      ), widened AS (
        UPDATE ${this.schema}.incident_entities ie SET
          first_seen = LEAST(ie.first_seen, t.first_seen), last_seen = GREATEST(ie.last_seen, t.last_seen)
        FROM touched t WHERE ${link} AND (t.first_seen < ie.first_seen OR t.last_seen > ie.last_seen)
      )
      INSERT INTO ${this.schema}.entities AS e (tenant_id, entity_type, value, incident_count, last_seen)
      SELECT tenant_id, entity_type, value, sum(n)::int, max(last_seen) FROM (
        SELECT tenant_id, entity_type, value, 0 AS n, last_seen FROM touched
        UNION ALL SELECT tenant_id, entity_type, value, 1, NULL FROM created
      ) AS counted
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
      ON CONFLICT (tenant_id, entity_type, value) DO UPDATE SET
        incident_count = e.incident_count + EXCLUDED.incident_count,
        last_seen = GREATEST(e.last_seen, EXCLUDED.last_seen)`;
  }

  /** Adds the batch's counters to the hourly and the per-minute rows. */
  private addStatsSql(stats: readonly HourlyStatsDelta[]): string[] {
    if (stats.length === 0) return [];
    return [
      this.addCountersSql({ spec: TENANT_HOURLY_STATS, bucket: 'hour', stats }),
      this.addCountersSql({ spec: TENANT_MINUTE_STATS, bucket: 'minute', stats }),
    ];
  }

  private addCountersSql({
    spec,
    bucket,
    stats,
  }: {
    readonly spec: typeof TENANT_HOURLY_STATS | typeof TENANT_MINUTE_STATS;
    readonly bucket: 'hour' | 'minute';
    readonly stats: readonly HourlyStatsDelta[];
  }): string {
    const sums = new Map<string, Mutable<HourlyStatsDelta>>();
    for (const delta of stats) {
      const key = `${delta.tenantId}\u0000${delta[bucket]}`;
      const sum = sums.get(key) ?? { ...delta, alertsIn: 0, incidentsOpened: 0, escalations: 0 };
      sum.alertsIn += delta.alertsIn;
      sum.incidentsOpened += delta.incidentsOpened;
      sum.escalations += delta.escalations;
      sums.set(key, sum);
    }
    const sorted = [...sums.values()].sort((a, b) =>
      a.tenantId === b.tenantId ? a[bucket] - b[bucket] : a.tenantId < b.tenantId ? -1 : 1,
    );
    const names = columnNames(spec).join(', ');
    return inlineParameters(
      `INSERT INTO ${this.schema}.${spec.table} AS t (${names})
       SELECT ${names} FROM json_to_recordset($1::json) AS r(${recordsetDefinition(spec)})
       ON CONFLICT (tenant_id, ${bucket}) DO UPDATE SET
         alerts_in = t.alerts_in + EXCLUDED.alerts_in,
         incidents_opened = t.incidents_opened + EXCLUDED.incidents_opened,
         escalations = t.escalations + EXCLUDED.escalations`,
      [JSON.stringify(sorted.map((sum) => toRow(spec as TableSpec<HourlyStatsDelta>, sum)))],
    );
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A table whose rows a batch stages. */
type StagedTableSpec = (typeof STAGED_WRITES)[number];

/**
 * The first row of each primary key, in their order: for rows that only append, the first event
 * to carry a row wins also within a batch.
 */
function firstOfEachKey(
  spec: StagedTableSpec,
  rows: readonly Record<string, unknown>[],
): Record<string, unknown>[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const key = spec.primaryKey.map((column) => String(row[column])).join('\u0000');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** One link per entity and incident, its sightings widened over the touches. */
function entityLinks(touches: readonly EntityTouch[]): EntityLink[] {
  const links = new Map<string, Mutable<EntityLink>>();
  for (const t of touches) {
    const key = `${t.tenantId}\u0000${t.type}\u0000${t.value}\u0000${t.incidentId}`;
    const known = links.get(key);
    if (known) {
      known.firstSeen = Math.min(known.firstSeen, t.seenAt);
      known.lastSeen = Math.max(known.lastSeen, t.seenAt);
    } else {
      const { tenantId, type, value, incidentId, seenAt } = t;
      links.set(key, { tenantId, type, value, incidentId, firstSeen: seenAt, lastSeen: seenAt });
    }
  }
  return [...links.values()];
}
