import { ensureTenant, issueApiKey, openDataSource, type DataSource } from '@soc/persistence';
import { createSpecDatabase, type SpecDatabase } from './spec-database';
import { uniqueName } from './unique-name';

/** A database of the spec file's own, migrated, where tenants and their API keys live. */
export interface SpecTenancy {
  readonly database: SpecDatabase;
  readonly dataSource: DataSource;
  /** A new tenant (`<prefix>-<unique>`) with an ingest key and an analyst key. */
  readonly tenant: (prefix: string) => Promise<SpecTenant>;
  readonly close: () => Promise<void>;
}

export interface SpecTenant {
  readonly tenantId: string;
  readonly ingestKey: string;
  readonly analystKey: string;
}

export async function createSpecTenancy(prefix: string): Promise<SpecTenancy> {
  const database = await createSpecDatabase(prefix);
  const dataSource = await openDataSource(
    { url: database.url, applicationName: `${prefix}-spec` },
    { migrate: true },
  );
  return {
    database,
    dataSource,
    tenant: async (tenantPrefix) => {
      const tenantId = uniqueName(tenantPrefix);
      await ensureTenant(dataSource, tenantId, tenantId);
      const ingest = await issueApiKey(dataSource, {
        tenantId,
        role: 'ingest',
        name: 'spec relay',
      });
      const analyst = await issueApiKey(dataSource, {
        tenantId,
        role: 'analyst',
        name: 'spec analyst',
      });
      return { tenantId, ingestKey: ingest.apiKey, analystKey: analyst.apiKey };
    },
    close: async () => {
      await dataSource.destroy();
      await database.drop();
    },
  };
}
