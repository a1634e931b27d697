import type { EntityTouch, HourlyStatsDelta, IncidentView, StoryView } from '@soc/domain';
import { selectRows, type Queryable } from '../data-source';
import { READ_MODEL_CHANNEL, READ_MODEL_SCHEMA, assertIdentifier } from '../schema';
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

/**
 * Rows per statement: thousands, so a batch of tens of thousands of events costs a few round
 * trips per table (multi-row statements reach 32-38k rows/s at 100-1,000 rows a statement).
 */
const DEFAULT_CHUNK = 5_000;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
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

  /** Writes the recomputed stories and deletes those left without members. */
  async writeStories(
    db: Queryable,
    {
      stories,
      emptied,
    }: { readonly stories: readonly StoryView[]; readonly emptied: readonly StoryKey[] },
  ): Promise<void> {
    const names = columnNames(STORIES);
    const updates = names
      .filter((name) => !STORIES.primaryKey.includes(name))
      .map((name) => `${name} = EXCLUDED.${name}`)
      .join(', ');
    for (const part of chunks(stories, this.chunkSize)) {
      await db.query(
        `INSERT INTO ${this.schema}.stories (${names.join(', ')})
         SELECT ${names.join(', ')} FROM json_to_recordset($1::json) AS r(${recordsetDefinition(STORIES)})
         ON CONFLICT (${STORIES.primaryKey.join(', ')}) DO UPDATE SET ${updates}`,
        [JSON.stringify(part.map((story) => toRow(STORIES, story)))],
      );
    }
    for (const part of chunks(emptied, this.chunkSize)) {
      await db.query(
        `DELETE FROM ${this.schema}.stories s USING json_to_recordset($1::json) AS k(tenant_id text, story_id text)
         WHERE s.tenant_id = k.tenant_id AND s.story_id = k.story_id`,
        [JSON.stringify(part.map((k) => ({ tenant_id: k.tenantId, story_id: k.storyId })))],
      );
    }
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

  /** Writes a folded batch: upserts for rows that change, inserts for rows that only append. */
  async write(db: Queryable, changes: ReadModelChanges): Promise<void> {
    await this.upsertIncidents(db, changes.incidents);
    await this.insertOnce(db, INCIDENT_ALERTS, changes.alerts.map(flattenAlert));
    await this.insertOnce(db, INCIDENT_TIMELINE, changes.timeline);
    await this.upsertEntities(db, changes.entityTouches);
    await this.addStats(db, changes.stats);
    await this.saveStreamPositions(db, changes.streamPositions);
    await this.insertOnce(db, TENANT_CONFIG_HISTORY, changes.configHistory);
  }

  private async saveStreamPositions(
    db: Queryable,
    positions: readonly StreamPosition[],
  ): Promise<void> {
    if (positions.length === 0) return;
    await db.query(
      `INSERT INTO ${this.schema}.stream_positions AS p (${columnNames(STREAM_POSITIONS).join(', ')})
       SELECT * FROM json_to_recordset($1::json) AS r(${recordsetDefinition(STREAM_POSITIONS)})
       ORDER BY 1, 2
       ON CONFLICT (tenant_id, stream_id) DO UPDATE SET last_sequence = GREATEST(p.last_sequence, EXCLUDED.last_sequence)`,
      [JSON.stringify(positions.map((p) => toRow(STREAM_POSITIONS, p)))],
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

  private async upsertIncidents(db: Queryable, incidents: readonly IncidentView[]): Promise<void> {
    const names = columnNames(INCIDENTS);
    const definition = recordsetDefinition(INCIDENTS);
    const updates = names
      .filter((name) => !INCIDENTS.primaryKey.includes(name))
      .map((name) => `${name} = EXCLUDED.${name}`)
      .join(', ');
    const sorted = [...incidents].sort(byKey);
    for (const part of chunks(sorted, this.chunkSize)) {
      await db.query(
        `INSERT INTO ${this.schema}.incidents (${names.join(', ')})
         SELECT ${names.join(', ')} FROM json_to_recordset($1::json) AS r(${definition})
         ON CONFLICT (${INCIDENTS.primaryKey.join(', ')}) DO UPDATE SET ${updates}`,
        [JSON.stringify(part.map((view) => toRow(INCIDENTS, view)))],
      );
    }
  }

  /** Rows that only append: the first event to carry a row wins; redeliveries change nothing. */
  private async insertOnce<V>(
    db: Queryable,
    spec: TableSpec<V>,
    values: readonly V[],
  ): Promise<void> {
    const names = columnNames(spec).join(', ');
    for (const part of chunks(values, this.chunkSize)) {
      await db.query(
        `INSERT INTO ${this.schema}.${spec.table} (${names})
         SELECT ${names} FROM json_to_recordset($1::json) AS r(${recordsetDefinition(spec)})
         ON CONFLICT DO NOTHING`,
        [JSON.stringify(part.map((value) => toRow(spec, value)))],
      );
    }
  }

  /**
   * incident_entities keeps first and last sighting per incident; `entities` counts the links,
   * incremented by the links this statement creates (a touch of a link that exists only widens
   * its sightings), so a replayed batch adds nothing and no batch recounts an entity's
   * incidents. Writers of one incident's links are serialized by the incident locks; the
   * counter upsert takes each `entities` row's lock, so concurrent increments add up.
   */
  private async upsertEntities(db: Queryable, touches: readonly EntityTouch[]): Promise<void> {
    const names = columnNames(INCIDENT_ENTITIES).join(', ');
    const link =
      'ie.tenant_id = t.tenant_id AND ie.entity_type = t.entity_type AND ie.value = t.value AND ie.incident_id = t.incident_id';
    for (const part of chunks(entityLinks(touches), this.chunkSize)) {
      await db.query(
        `WITH touched AS (
           SELECT ${names} FROM json_to_recordset($1::json) AS r(${recordsetDefinition(INCIDENT_ENTITIES)})
         ), created AS (
           INSERT INTO ${this.schema}.incident_entities (${names}) SELECT ${names} FROM touched
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
           last_seen = GREATEST(e.last_seen, EXCLUDED.last_seen)`,
        [JSON.stringify(part.map((row) => toRow(INCIDENT_ENTITIES, row)))],
      );
    }
  }

  /** Adds the batch's counters to the hourly and the per-minute rows. */
  private async addStats(db: Queryable, stats: readonly HourlyStatsDelta[]): Promise<void> {
    await this.addCounters(db, { spec: TENANT_HOURLY_STATS, bucket: 'hour', stats });
    await this.addCounters(db, { spec: TENANT_MINUTE_STATS, bucket: 'minute', stats });
  }

  private async addCounters(
    db: Queryable,
    {
      spec,
      bucket,
      stats,
    }: {
      readonly spec: typeof TENANT_HOURLY_STATS | typeof TENANT_MINUTE_STATS;
      readonly bucket: 'hour' | 'minute';
      readonly stats: readonly HourlyStatsDelta[];
    },
  ): Promise<void> {
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
    for (const part of chunks(sorted, this.chunkSize)) {
      await db.query(
        `INSERT INTO ${this.schema}.${spec.table} AS t (${names})
         SELECT ${names} FROM json_to_recordset($1::json) AS r(${recordsetDefinition(spec)})
         ON CONFLICT (tenant_id, ${bucket}) DO UPDATE SET
           alerts_in = t.alerts_in + EXCLUDED.alerts_in,
           incidents_opened = t.incidents_opened + EXCLUDED.incidents_opened,
           escalations = t.escalations + EXCLUDED.escalations`,
        [JSON.stringify(part.map((sum) => toRow(spec as TableSpec<HourlyStatsDelta>, sum)))],
      );
    }
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const byKey = (a: IncidentKey, b: IncidentKey): number => {
  const ka = incidentKey(a);
  const kb = incidentKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

/** One link per entity and incident, its sightings widened over the touches, in key order. */
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
  return [...links.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, link]) => link);
}
