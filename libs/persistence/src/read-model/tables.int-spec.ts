import type { IncidentView } from '@soc/domain';
import { createSpecDatabase, type SpecDatabase } from '@soc/testing';
import { openDataSource, selectRows, type DataSource } from '../data-source';
import { READ_MODEL_SCHEMA } from '../schema';
import { ReadModelStore } from './read-model-store';
import type { ReadModelChanges } from './records';
import { SHADOW_SCHEMA, createShadowSchema } from './shadow-schema';
import { READ_MODEL_TABLES } from './tables';

/** How format_type names the types the specs write in their short form. */
const NOTHING: ReadModelChanges = {
  incidents: [],
  alerts: [],
  timeline: [],
  entityTouches: [],
  stats: [],
  streamPositions: [],
  configHistory: [],
};

const PG_NAMES: Readonly<Record<string, string>> = { timestamptz: 'timestamp with time zone' };

const expectedColumns = (spec: (typeof READ_MODEL_TABLES)[number]): string[] => [
  ...spec.columns.map(
    (c) => `${c.column} ${PG_NAMES[c.pg] ?? c.pg}${c.nullable ? '' : ' NOT NULL'}`,
  ),
  ...(spec.generated ?? []).map((c) => `${c.column} ${c.pg} GENERATED`),
];

async function actualColumns(db: DataSource, schema: string, table: string): Promise<string[]> {
  const rows = await selectRows<{ col: string }>(
    db,
    `SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
       || CASE WHEN a.attgenerated <> '' THEN ' GENERATED' WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END AS col
     FROM pg_attribute a
     WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
     ORDER BY a.attnum`,
    [`${schema}.${table}`],
  );
  return rows.map((r) => r.col);
}

async function primaryKey(db: DataSource, schema: string, table: string): Promise<string[]> {
  const rows = await selectRows<{ name: string }>(
    db,
    `SELECT a.attname AS name
     FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, position)
     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
     WHERE i.indrelid = $1::regclass AND i.indisprimary
     ORDER BY k.position`,
    [`${schema}.${table}`],
  );
  return rows.map((r) => r.name);
}

const view: IncidentView = {
  tenantId: 'acme',
  incidentId: 'inc-1',
  opened: true,
  title: 'Encoded PowerShell on ws-0007',
  priority: 71.5,
  explanation: { factors: [], adjustments: [], summary: 'high severity' },
  alertCount: 3,
  repeatCounts: { 'EDR-1201|host:ws-0007': 2 },
  distinctRules: 1,
  rules: ['EDR-1201'],
  tactics: ['TA0002'],
  entities: [{ type: 'host', value: 'ws-0007', role: null }],
  firstSeen: Date.UTC(2025, 0, 15, 9),
  lastSeen: Date.UTC(2025, 0, 15, 9, 5),
  openedAt: Date.UTC(2025, 0, 15, 9),
  maxSeverity: 72,
  campaignId: null,
  mergedInto: null,
  absorbedIncidentIds: ['inc-0'],
  escalated: false,
  correlationClosedReason: null,
  lastIncidentSeq: 4,
  analystStatus: 'acknowledged',
  assignee: 'alice',
  verdict: 'true_positive',
  verdictNotes: null,
  analystPriority: null,
  acknowledgedAt: Date.UTC(2025, 0, 15, 9, 30),
  closedAt: null,
  lastFeedbackSeq: 2,
  status: 'acknowledged',
  updatedAt: Date.UTC(2025, 0, 15, 9, 30),
};

describe('read-model table specs on Postgres', () => {
  let database: SpecDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createSpecDatabase('table_specs');
    dataSource = await openDataSource(
      { url: database.url, applicationName: 'table-specs-spec' },
      { migrate: true },
    );
    await createShadowSchema(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it.each(READ_MODEL_TABLES.map((spec) => [spec.table, spec] as const))(
    'the migration creates %s with the columns, types, nullability and key of its spec',
    async (table, spec) => {
      for (const schema of [READ_MODEL_SCHEMA, SHADOW_SCHEMA]) {
        expect([schema, await actualColumns(dataSource, schema, table)]).toEqual([
          schema,
          expectedColumns(spec),
        ]);
        expect(await primaryKey(dataSource, schema, table)).toEqual(spec.primaryKey);
      }
    },
  );

  it('has a spec for every table of the read model schema', async () => {
    const rows = await selectRows<{ name: string }>(
      dataSource,
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = $1 ORDER BY tablename`,
      [READ_MODEL_SCHEMA],
    );
    expect(rows.map((r) => r.name)).toEqual(READ_MODEL_TABLES.map((spec) => spec.table).sort());
  });

  it('reads back the incident view it wrote, field for field', async () => {
    const store = new ReadModelStore();
    await dataSource.transaction((db) => store.write(db, { ...NOTHING, incidents: [view] }));
    const loaded = await store.loadIncidents(dataSource, [view]);
    expect([...loaded.values()]).toEqual([view]);
  });

  it('moves only its own staged rows when a transaction writes twice', async () => {
    const store = new ReadModelStore();
    const later: IncidentView = { ...view, title: 'retitled', alertCount: view.alertCount + 1 };
    await dataSource.transaction(async (db) => {
      for (const incident of [view, later])
        await store.write(db, { ...NOTHING, incidents: [incident] });
    });
    const loaded = await store.loadIncidents(dataSource, [view]);
    expect([...loaded.values()]).toEqual([later]);
  });
});
