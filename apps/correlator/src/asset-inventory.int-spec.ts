// The correlator's asset snapshot as deployed: its login in soc_correlator reads every
// tenant's inventory past row level security.
import { ensureTenant, openDataSource, withTenant, type DataSource } from '@soc/persistence';
import { createMigratedSpecDatabase, serviceDatabaseUrl, type SpecDatabase } from '@soc/testing';
import { AssetInventory } from './asset-inventory';

describe('AssetInventory as the correlator login', () => {
  let database: SpecDatabase;
  let correlator: DataSource;

  beforeAll(async () => {
    database = await createMigratedSpecDatabase('asset_inventory');
    const owner = await openDataSource({ url: database.url, applicationName: 'assets-owner' });
    try {
      for (const [tenant, criticality] of [
        ['tenant-a', 2],
        ['tenant-b', 5],
      ] as const) {
        await ensureTenant(owner, tenant, tenant);
        await withTenant(owner, tenant, (db) =>
          db.query(
            `INSERT INTO public.assets (tenant_id, entity_type, value, criticality) VALUES ($1, 'host', 'ws-01', $2)`,
            [tenant, criticality],
          ),
        );
      }
    } finally {
      await owner.destroy();
    }
    correlator = await openDataSource({
      url: serviceDatabaseUrl(database.url, 'correlator'),
      applicationName: 'assets-correlator',
    });
  });

  afterAll(async () => {
    await correlator?.destroy();
    await database?.drop();
  });

  it("holds every tenant's assets, each under its own tenant", async () => {
    const inventory = new AssetInventory(correlator);
    expect(await inventory.refresh()).toBe(2);
    const host = { type: 'host', value: 'WS-01', role: null, hashAlgorithm: null } as const;
    expect(inventory.lookupFor('tenant-a')(host)).toMatchObject({ criticality: 2 });
    expect(inventory.lookupFor('tenant-b')(host)).toMatchObject({ criticality: 5 });
  });
});
