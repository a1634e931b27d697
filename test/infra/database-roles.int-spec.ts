// Least privilege on the real PostgreSQL: each service's login runs the queries its app runs,
// and nothing else: no DDL, no table outside its grants, no other tenant's rows for the query
// API (row level security binds its login itself, without SET ROLE).
import { nextIntelSequence } from '@soc/intel';
import {
  PgApiKeyVerifier,
  READ_MODEL_SCHEMA,
  MIGRATIONS,
  ReadModelStore,
  SERVICE_ROLES,
  TENANT_SETTING,
  ensureTenant,
  issueApiKey,
  openDataSource,
  recordDeadLetters,
  revokeApiKey,
  scramSha256Verifier,
  selectRows,
  withTenant,
  type DataSource,
  type ServiceName,
} from '@soc/persistence';
import {
  createMigratedSpecDatabase,
  serviceDatabaseUrl,
  specLoginUser,
  type SpecDatabase,
} from '@soc/testing';

const PERMISSION_DENIED = /permission denied|must be owner/;
const NO_CHANGES = {
  incidents: [],
  alerts: [],
  timeline: [],
  entityTouches: [],
  stats: [],
  configHistory: [],
} as const;

describe('service database roles', () => {
  let database: SpecDatabase;
  let owner: DataSource;
  const logins = new Map<ServiceName, DataSource>();
  const as = (service: ServiceName): DataSource => logins.get(service) as DataSource;
  let ingestKey: string;

  beforeAll(async () => {
    database = await createMigratedSpecDatabase('db_roles');
    owner = await openDataSource({ url: database.url, applicationName: 'db-roles-owner' });
    for (const tenant of ['tenant-a', 'tenant-b']) await ensureTenant(owner, tenant, tenant);
    for (const tenant of ['tenant-a', 'tenant-b']) {
      await withTenant(owner, tenant, (db) =>
        db.query(
          `INSERT INTO public.assets (tenant_id, entity_type, value, criticality) VALUES ($1, 'host', 'ws-01', 5)`,
          [tenant],
        ),
      );
    }
    ingestKey = (await issueApiKey(owner, { tenantId: 'tenant-a', role: 'ingest', name: 'spec' }))
      .apiKey;
    for (const service of Object.keys(SERVICE_ROLES) as ServiceName[]) {
      logins.set(
        service,
        await openDataSource({
          url: serviceDatabaseUrl(database.url, service),
          applicationName: `db-roles-${service}`,
        }),
      );
    }
  });

  afterAll(async () => {
    for (const login of logins.values()) await login.destroy();
    await owner?.destroy();
    await database?.drop();
  });

  it('gives the group roles no login, no attribute and no table of their own', async () => {
    const roles = [...Object.values(SERVICE_ROLES), 'soc_app'];
    const attributes = await selectRows<{ rolname: string; privileged: boolean }>(
      owner,
      `SELECT rolname, rolcanlogin OR rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb AS privileged
       FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname`,
      [roles],
    );
    expect(attributes).toEqual(
      [...roles].sort().map((rolname) => ({ rolname, privileged: false })),
    );
    const owned = await selectRows<{ relname: string }>(
      owner,
      `SELECT c.relname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner
       WHERE r.rolname = ANY($1) OR r.rolname LIKE 'soc_spec_%'`,
      [roles],
    );
    expect(owned).toEqual([]);
  });

  it('makes each login a member of its own group role only, without attributes', async () => {
    for (const [service, role] of Object.entries(SERVICE_ROLES) as [ServiceName, string][]) {
      const [login] = await selectRows<{ privileged: boolean; groups: string[] }>(
        owner,
        `SELECT rolsuper OR rolbypassrls OR rolcreaterole OR rolcreatedb AS privileged,
           ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                 WHERE m.member = r.oid) AS groups
         FROM pg_roles r WHERE rolname = $1`,
        [specLoginUser(service)],
      );
      expect(login).toEqual({ privileged: false, groups: [role] });
    }
  });

  it('stores the SCRAM verifier PostgreSQL itself computes for a password', async () => {
    await owner.transaction(async (db) => {
      await db.query(`SET LOCAL password_encryption = 'scram-sha-256'`);
      await db.query(`CREATE ROLE soc_scram_probe LOGIN PASSWORD 'correct-horse-battery'`);
      const [row] = await selectRows<{ stored: string }>(
        db,
        `SELECT rolpassword AS stored FROM pg_authid WHERE rolname = 'soc_scram_probe'`,
      );
      const salt = Buffer.from(
        /^SCRAM-SHA-256\$4096:([^$]+)\$/.exec(row?.stored ?? '')?.[1] ?? '',
        'base64',
      );
      expect(scramSha256Verifier('correct-horse-battery', salt)).toBe(row?.stored);
      await db.query('DROP ROLE soc_scram_probe');
    });
  });

  it('ingest verifies API keys through the lookup function and reads no table', async () => {
    const principal = await new PgApiKeyVerifier(as('ingest'), { cacheTtlMs: 0 }).verify(ingestKey);
    expect(principal).toMatchObject({ tenantId: 'tenant-a', role: 'ingest' });
    await expect(as('ingest').query('SELECT key_id FROM public.api_keys')).rejects.toThrow(
      PERMISSION_DENIED,
    );
    await expect(as('ingest').query('SELECT 1 FROM public.assets')).rejects.toThrow(
      PERMISSION_DENIED,
    );
  });

  it("the correlator reads every tenant's assets and may not change them", async () => {
    // The inventory's own query runs as this login in asset-inventory.int-spec.ts.
    const rows = await selectRows<{ tenant_id: string }>(
      as('correlator'),
      'SELECT tenant_id FROM public.assets ORDER BY tenant_id',
    );
    expect(rows.map((row) => row.tenant_id)).toEqual(['tenant-a', 'tenant-b']);
    await expect(
      as('correlator').query(`UPDATE public.assets SET criticality = 1`),
    ).rejects.toThrow(PERMISSION_DENIED);
    await expect(
      as('correlator').query(`SELECT 1 FROM ${READ_MODEL_SCHEMA}.incidents`),
    ).rejects.toThrow(PERMISSION_DENIED);
  });

  it("the projector writes every tenant's read model, checkpoints and dead letters", async () => {
    const store = new ReadModelStore();
    await as('projector').transaction(async (db) => {
      expect(await store.lockCheckpoint(db, 'spec', 'topic', 0)).toBe(0n);
      await store.write(db, {
        ...NO_CHANGES,
        streamPositions: [
          { tenantId: 'tenant-a', streamId: 'unattached:tenant-a', lastSequence: 3 },
          { tenantId: 'tenant-b', streamId: 'unattached:tenant-b', lastSequence: 4 },
        ],
      });
      await recordDeadLetters(db, { projection: 'spec', topic: 'topic', partition: 0 }, [
        { offset: 7n, key: null, value: Buffer.from('x'), reason: 'spec', field: null },
      ]);
      await store.saveCheckpoint(db, 'spec', 'topic', 0, 8n);
      await store.notify(db, [{ tenantId: 'tenant-a', incidentId: 'inc-1' }]);
    });
    const positions = await store.loadStreamPositions(as('projector'), [
      { tenantId: 'tenant-a', streamId: 'unattached:tenant-a' },
      { tenantId: 'tenant-b', streamId: 'unattached:tenant-b' },
    ]);
    expect(positions.size).toBe(2);
    expect(await store.readCheckpoints(as('projector'), 'spec')).toEqual([
      { topic: 'topic', partition: 0, nextOffset: 8n },
    ]);
  });

  it('the projector may not rewrite the audit trail nor touch the API tables', async () => {
    const projector = as('projector');
    await expect(
      projector.query(`UPDATE ${READ_MODEL_SCHEMA}.incident_timeline SET summary = 'x'`),
    ).rejects.toThrow(PERMISSION_DENIED);
    await expect(
      projector.query(`DELETE FROM ${READ_MODEL_SCHEMA}.incident_alerts`),
    ).rejects.toThrow(PERMISSION_DENIED);
    await expect(projector.query('SELECT 1 FROM public.api_keys')).rejects.toThrow(
      PERMISSION_DENIED,
    );
    await expect(projector.query('SELECT 1 FROM public.feedback_outbox')).rejects.toThrow(
      PERMISSION_DENIED,
    );
  });

  it("row level security binds the query API's login itself: one tenant's rows, none unscoped", async () => {
    const query = as('query');
    const tenantsSeen = (tenant: string | null) =>
      query.transaction(async (db) => {
        if (tenant !== null)
          await db.query('SELECT set_config($1, $2, true)', [TENANT_SETTING, tenant]);
        const rows = await selectRows<{ tenant_id: string }>(
          db,
          `SELECT tenant_id FROM ${READ_MODEL_SCHEMA}.stream_positions
           UNION ALL SELECT tenant_id FROM public.assets UNION ALL SELECT tenant_id FROM public.api_keys`,
        );
        return [...new Set(rows.map((row) => row.tenant_id))];
      });
    expect(await tenantsSeen('tenant-a')).toEqual(['tenant-a']);
    expect(await tenantsSeen('tenant-b')).toEqual(['tenant-b']);
    expect(await tenantsSeen(null)).toEqual([]);
    await expect(
      query.transaction(async (db) => {
        await db.query('SELECT set_config($1, $2, true)', [TENANT_SETTING, 'tenant-a']);
        await db.query(
          `INSERT INTO public.assets (tenant_id, entity_type, value, criticality) VALUES ('tenant-b', 'host', 'x', 1)`,
        );
      }),
    ).rejects.toThrow(/row-level security/);
    await expect(
      query.query(
        `INSERT INTO ${READ_MODEL_SCHEMA}.stream_positions VALUES ('tenant-a', 'forged', 1)`,
      ),
    ).rejects.toThrow(PERMISSION_DENIED);
  });

  it('the query API administers tenants and keys, and relays every tenant’s outbox', async () => {
    const query = as('query');
    expect(await ensureTenant(query, 'tenant-c', 'C')).toBe(true);
    const issued = await issueApiKey(query, { tenantId: 'tenant-c', role: 'analyst', name: 'x' });
    expect(await revokeApiKey(query, { tenantId: 'tenant-c', keyId: issued.keyId })).toBe(true);
    for (const tenant of ['tenant-a', 'tenant-b']) {
      await withTenant(query, tenant, (db) =>
        db.query(
          `INSERT INTO public.feedback_outbox (event_id, tenant_id, message_key, value, headers)
           VALUES (gen_random_uuid(), $1, $1, '\\x00', '{}')`,
          [tenant],
        ),
      );
    }
    // The relay's statements, as the login itself (no tenant scope).
    await query.transaction(async (db) => {
      const rows = await selectRows<{ position: string; tenant_id: string }>(
        db,
        'SELECT position, tenant_id FROM public.feedback_outbox ORDER BY position',
      );
      expect(rows.map((row) => row.tenant_id)).toEqual(['tenant-a', 'tenant-b']);
      await db.query('DELETE FROM public.feedback_outbox WHERE position = ANY($1::bigint[])', [
        rows.map((row) => row.position),
      ]);
    });
    await expect(query.query('SELECT 1 FROM public.intel_budgets')).rejects.toThrow(
      PERMISSION_DENIED,
    );
  });

  it('intel keeps its own tables and reads no other', async () => {
    expect(await nextIntelSequence(as('intel'), 'tenant-a', 'intel:tenant-a')).toBe(1);
    expect(await nextIntelSequence(as('intel'), 'tenant-a', 'intel:tenant-a')).toBe(2);
    await expect(as('intel').query('SELECT 1 FROM public.assets')).rejects.toThrow(
      PERMISSION_DENIED,
    );
  });

  it.each(Object.keys(SERVICE_ROLES) as ServiceName[])('%s may run no DDL', async (service) => {
    const login = as(service);
    for (const statement of [
      'CREATE TABLE public.intruder (id int)',
      `CREATE TABLE ${READ_MODEL_SCHEMA}.intruder (id int)`,
      `ALTER TABLE ${READ_MODEL_SCHEMA}.incidents ADD COLUMN intruder int`,
      'DROP TABLE public.api_keys',
      `TRUNCATE ${READ_MODEL_SCHEMA}.projection_checkpoints`,
      'ALTER TABLE public.assets DISABLE ROW LEVEL SECURITY',
      'CREATE SCHEMA intruder',
    ]) {
      await expect(login.query(statement)).rejects.toThrow(PERMISSION_DENIED);
    }
  });

  it('grants it all again on a database whose roles had no grants yet (an upgrade)', async () => {
    const ServiceRoles = MIGRATIONS.find((m) => m.name === 'ServiceRoles1737000040000');
    if (!ServiceRoles) throw new Error('the service roles migration is not listed');
    const migration = new ServiceRoles();
    const runner = owner.createQueryRunner();
    const checkpoints = `SELECT 1 FROM ${READ_MODEL_SCHEMA}.projection_checkpoints`;
    try {
      await migration.down(runner);
      await expect(as('projector').query(checkpoints)).rejects.toThrow(PERMISSION_DENIED);
      await expect(
        as('ingest').query('SELECT * FROM public.soc_api_key_lookup($1)', ['x']),
      ).rejects.toThrow(PERMISSION_DENIED);
      await migration.up(runner);
    } finally {
      await runner.release();
    }
    expect(await as('projector').query(checkpoints)).toEqual(expect.any(Array));
    expect(
      await new PgApiKeyVerifier(as('ingest'), { cacheTtlMs: 0 }).verify(ingestKey),
    ).toMatchObject({
      tenantId: 'tenant-a',
    });
  });
});
