import { createSpecDatabase, type SpecDatabase } from '@soc/testing';
import type { DataSource } from 'typeorm';
import {
  PgApiKeyVerifier,
  ensureTenant,
  issueApiKey,
  newApiKeyMaterial,
  parseApiKey,
} from './api-keys';
import { openDataSource, selectRows } from './data-source';
import { READ_MODEL_SCHEMA } from './schema';
import { withTenant } from './tenant-scope';

const TENANT_TABLES = [
  `${READ_MODEL_SCHEMA}.incidents`,
  `${READ_MODEL_SCHEMA}.incident_alerts`,
  `${READ_MODEL_SCHEMA}.incident_entities`,
  `${READ_MODEL_SCHEMA}.entities`,
  `${READ_MODEL_SCHEMA}.incident_timeline`,
  `${READ_MODEL_SCHEMA}.tenant_hourly_stats`,
  `${READ_MODEL_SCHEMA}.stream_positions`,
  `${READ_MODEL_SCHEMA}.stories`,
  `${READ_MODEL_SCHEMA}.tenant_minute_stats`,
  'public.tenants',
  'public.api_keys',
  'public.assets',
  'public.feedback_sequences',
];

/** One row per tenant in every tenant table, written as the owner (which bypasses RLS). */
async function seedTwoTenants(dataSource: DataSource): Promise<void> {
  for (const tenant of ['tenant-a', 'tenant-b']) {
    await dataSource.query(`INSERT INTO public.tenants (tenant_id, name) VALUES ($1, $1)`, [
      tenant,
    ]);
    await dataSource.query(
      `INSERT INTO public.api_keys (key_id, tenant_id, role, name, salt, secret_hash)
       VALUES ($1, $2, 'analyst', 'seed', '\\x00', '\\x00')`,
      [`key-${tenant}`, tenant],
    );
    await dataSource.query(
      `INSERT INTO public.assets (tenant_id, entity_type, value, criticality) VALUES ($1, 'host', 'ws-01', 3)`,
      [tenant],
    );
    await dataSource.query(
      `INSERT INTO public.feedback_sequences (tenant_id, incident_id, last_sequence) VALUES ($1, 'inc-1', 1)`,
      [tenant],
    );
    await dataSource.query(
      `INSERT INTO ${READ_MODEL_SCHEMA}.incidents (tenant_id, incident_id, opened, title, status, analyst_status,
         alert_count, repeat_counts, distinct_rules, rules, tactics, entities, max_severity,
         absorbed_incident_ids, escalated, last_incident_seq, last_feedback_seq, updated_at, search_text)
       VALUES ($1, 'inc-1', true, 'seed', 'open', 'open', 1, '{}', 0, '{}', '{}', '[]', 0, '{}', false, 1, 0, now(), 'seed')`,
      [tenant],
    );
    await dataSource.query(
      `INSERT INTO ${READ_MODEL_SCHEMA}.incident_alerts VALUES ($1, 'inc-1', 'a-1', 'src', now(), now(), null, null,
         null, 'seed', 50, null, null, '{}', '{}', '[]', '[]', '[]', 'opened', now(), 'e-1')`,
      [tenant],
    );
    await dataSource.query(
      `INSERT INTO ${READ_MODEL_SCHEMA}.incident_entities VALUES ($1, 'host', 'ws-01', 'inc-1', now(), now())`,
      [tenant],
    );
    await dataSource.query(
      `INSERT INTO ${READ_MODEL_SCHEMA}.entities VALUES ($1, 'host', 'ws-01', 1, now())`,
      [tenant],
    );
    await dataSource.query(
      `INSERT INTO ${READ_MODEL_SCHEMA}.incident_timeline VALUES ($1, 'inc-1', 'e-1', 'incident', 1, 'IncidentOpened',
         now(), 'rule:x', 'c-1', 'seed', '{}')`,
      [tenant],
    );
    await dataSource.query(
      `INSERT INTO ${READ_MODEL_SCHEMA}.tenant_hourly_stats VALUES ($1, date_trunc('hour', now()), 1, 1, 0)`,
      [tenant],
    );
    await dataSource.query(
      `INSERT INTO ${READ_MODEL_SCHEMA}.stream_positions VALUES ($1, 'unattached:' || $1, 3)`,
      [tenant],
    );
    await dataSource.query(
      `INSERT INTO ${READ_MODEL_SCHEMA}.tenant_minute_stats VALUES ($1, date_trunc('minute', now()), 1, 1, 0)`,
      [tenant],
    );
    await dataSource.query(
      `INSERT INTO ${READ_MODEL_SCHEMA}.stories VALUES ($1, 'inc-1', null, 'seed', 50, 'inc-1', '{inc-1}', 1, 1, 1,
         'open', false, '{}', '{}', '[]', 1, now(), now(), 'seed', now())`,
      [tenant],
    );
  }
}

describe('persistence on Postgres', () => {
  let database: SpecDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createSpecDatabase('persistence');
    dataSource = await openDataSource(
      { url: database.url, applicationName: 'persistence-spec' },
      { migrate: true },
    );
    await seedTwoTenants(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('migrates a fresh database and knows it is up to date', async () => {
    expect(await dataSource.showMigrations()).toBe(false);
    const [row] = await selectRows<{ forced: boolean }>(
      dataSource,
      `SELECT bool_and(relforcerowsecurity AND relrowsecurity) AS forced FROM pg_class
       WHERE oid = ANY($1::regclass[])`,
      [TENANT_TABLES],
    );
    expect(row?.forced).toBe(true);
  });

  it('adds stream_positions, with row level security, to a read model created before it', async () => {
    const scratch = await createSpecDatabase('persistence_upgrade');
    const old = await openDataSource(
      { url: scratch.url, applicationName: 'persistence-spec' },
      { migrate: true },
    );
    try {
      await old.query(`DROP TABLE ${READ_MODEL_SCHEMA}.stream_positions`);
      await old.query(`DELETE FROM schema_migrations WHERE name = 'StreamPositions1737000001000'`);
      const applied = await old.runMigrations({ transaction: 'each' });
      expect(applied.map((m) => m.name)).toEqual(['StreamPositions1737000001000']);
      const [row] = await selectRows<{ forced: boolean }>(
        old,
        `SELECT relforcerowsecurity AS forced FROM pg_class WHERE oid = $1::regclass`,
        [`${READ_MODEL_SCHEMA}.stream_positions`],
      );
      expect(row?.forced).toBe(true);
    } finally {
      await old.destroy();
      await scratch.drop();
    }
  });

  it('adds stories, their member index and minute stats, with row level security, to a read model created before them', async () => {
    const scratch = await createSpecDatabase('persistence_stories');
    const old = await openDataSource(
      { url: scratch.url, applicationName: 'persistence-spec' },
      { migrate: true },
    );
    try {
      await old.query(`DROP TABLE ${READ_MODEL_SCHEMA}.stories`);
      await old.query(`DROP TABLE ${READ_MODEL_SCHEMA}.tenant_minute_stats`);
      await old.query(`DROP INDEX ${READ_MODEL_SCHEMA}.incidents_by_story`);
      await old.query(`DELETE FROM schema_migrations WHERE name = 'Stories1737000016500'`);
      const applied = await old.runMigrations({ transaction: 'each' });
      expect(applied.map((m) => m.name)).toEqual(['Stories1737000016500']);
      const rows = await selectRows<{ forced: boolean; indexed: boolean }>(
        old,
        `SELECT relforcerowsecurity AS forced,
           to_regclass('${READ_MODEL_SCHEMA}.incidents_by_story') IS NOT NULL AS indexed
         FROM pg_class WHERE oid = ANY($1::regclass[])`,
        [[`${READ_MODEL_SCHEMA}.stories`, `${READ_MODEL_SCHEMA}.tenant_minute_stats`]],
      );
      expect(rows).toEqual([
        { forced: true, indexed: true },
        { forced: true, indexed: true },
      ]);
    } finally {
      await old.destroy();
      await scratch.drop();
    }
  });

  it.each(TENANT_TABLES)(
    'a raw query on %s as soc_app with tenant A set returns no tenant B row, with no WHERE',
    async (table) => {
      const rows = await dataSource.transaction(async (manager) => {
        await manager.query(`SET LOCAL ROLE soc_app`);
        await manager.query(`SET LOCAL app.tenant_id = 'tenant-a'`);
        return selectRows<{ tenant_id: string }>(manager, `SELECT tenant_id FROM ${table}`);
      });
      expect(rows.map((r) => r.tenant_id)).toEqual(['tenant-a']);
    },
  );

  it('returns no rows at all to soc_app when no tenant is set', async () => {
    const rows = await dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL ROLE soc_app`);
      return selectRows<{ n: string }>(
        manager,
        `SELECT count(*) AS n FROM ${READ_MODEL_SCHEMA}.incidents`,
      );
    });
    expect(rows[0]?.n).toBe('0');
  });

  it('withTenant scopes reads to the tenant even for a superuser connection', async () => {
    const rows = await withTenant(dataSource, 'tenant-b', (manager) =>
      selectRows<{ tenant_id: string }>(
        manager,
        `SELECT tenant_id FROM ${READ_MODEL_SCHEMA}.incident_timeline`,
      ),
    );
    expect(rows).toEqual([{ tenant_id: 'tenant-b' }]);
  });

  it('withTenant refuses to write another tenant’s row', async () => {
    await expect(
      withTenant(dataSource, 'tenant-a', (manager) =>
        manager.query(
          `INSERT INTO public.assets (tenant_id, entity_type, value, criticality) VALUES ('tenant-b', 'host', 'x', 1)`,
        ),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('the application role may only read the read model', async () => {
    await expect(
      withTenant(dataSource, 'tenant-a', (manager) =>
        manager.query(`UPDATE ${READ_MODEL_SCHEMA}.incidents SET status = 'closed'`),
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(
      withTenant(dataSource, 'tenant-a', (manager) =>
        manager.query(`DELETE FROM ${READ_MODEL_SCHEMA}.incident_timeline`),
      ),
    ).rejects.toThrow(/permission denied/);
  });

  describe('API keys', () => {
    it('verifies an issued key and returns its tenant and role', async () => {
      await ensureTenant(dataSource, 'tenant-keys', 'Keys Inc');
      const issued = await issueApiKey(dataSource, {
        tenantId: 'tenant-keys',
        role: 'ingest',
        name: 'syslog relay',
      });
      const verifier = new PgApiKeyVerifier(dataSource, { cacheTtlMs: 0 });
      expect(await verifier.verify(issued.apiKey)).toEqual({
        tenantId: 'tenant-keys',
        role: 'ingest',
        keyId: issued.keyId,
        name: 'syslog relay',
      });
    });

    it('stores only a salted hash, never the key', async () => {
      const issued = await issueApiKey(dataSource, {
        tenantId: 'tenant-keys',
        role: 'analyst',
        name: 'alice',
      });
      const [row] = await selectRows<{ stored: string }>(
        dataSource,
        `SELECT encode(salt, 'hex') || encode(secret_hash, 'hex') AS stored FROM public.api_keys WHERE key_id = $1`,
        [issued.keyId],
      );
      // The secret is base64url and may itself hold '_', so it is taken apart by the parser.
      const secret = parseApiKey(issued.apiKey)?.secret ?? 'missing';
      expect(row?.stored).not.toContain(Buffer.from(secret, 'base64url').toString('hex'));
      expect(row?.stored).toHaveLength((16 + 32) * 2);
    });

    it('rejects a wrong secret, a malformed key and a revoked key', async () => {
      const issued = await issueApiKey(dataSource, {
        tenantId: 'tenant-keys',
        role: 'admin',
        name: 'ops',
      });
      const verifier = new PgApiKeyVerifier(dataSource, { cacheTtlMs: 0 });
      const forged = `${issued.apiKey.slice(0, -4)}AAAA`;
      expect(await verifier.verify(forged)).toBeUndefined();
      expect(await verifier.verify('not-a-key')).toBeUndefined();
      await dataSource.query(`UPDATE public.api_keys SET revoked_at = now() WHERE key_id = $1`, [
        issued.keyId,
      ]);
      expect(await verifier.verify(issued.apiKey)).toBeUndefined();
    });

    it('keeps verified keys cached however many random keys are tried', async () => {
      const issued = await issueApiKey(dataSource, {
        tenantId: 'tenant-keys',
        role: 'ingest',
        name: 'relay',
      });
      const verifier = new PgApiKeyVerifier(dataSource, {
        cacheTtlMs: 60_000,
        maxCached: 10,
        maxRefused: 10,
      });
      expect(await verifier.verify(issued.apiKey)).toMatchObject({ keyId: issued.keyId });
      // Revoked now: only a cached answer can still accept it.
      await dataSource.query(`UPDATE public.api_keys SET revoked_at = now() WHERE key_id = $1`, [
        issued.keyId,
      ]);
      for (let i = 0; i < 50; i += 1) {
        const random = newApiKeyMaterial().apiKey;
        expect(await verifier.verify(random)).toBeUndefined();
      }
      expect(await verifier.verify(issued.apiKey)).toMatchObject({ keyId: issued.keyId });
    });
  });
});
