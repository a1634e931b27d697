// A fresh Postgres database per spec file, so specs never see each other's tables or rows.
import { Client } from 'pg';
import { openDataSource } from '@soc/persistence';
import { infraFromEnv } from './infra';
import { ensureSpecLogins } from './spec-logins';

export interface SpecDatabase {
  readonly name: string;
  readonly url: string;
  /** Drops the database, closing any connection still open to it. */
  readonly drop: () => Promise<void>;
}

const withServer = async <T>(
  serverUrl: string,
  task: (client: Client) => Promise<T>,
): Promise<T> => {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await task(client);
  } finally {
    await client.end();
  }
};

let specLogins: Promise<void> | undefined;

/**
 * Creates `spec_<prefix>_<random>` on the test server and returns its URL (as the owner; the
 * services' logins are serviceDatabaseEnv's, created here once per spec file).
 */
export async function createSpecDatabase(prefix = 'spec'): Promise<SpecDatabase> {
  const serverUrl = infraFromEnv().databaseUrl;
  specLogins ??= ensureSpecLogins(serverUrl);
  await specLogins;
  const suffix = `${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  // Unquoted-safe and within Postgres's 63-byte identifier limit.
  const name = `spec_${prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .slice(0, 40)}_${suffix}`;
  await withServer(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      await withServer(serverUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      );
    },
  };
}

/** A spec database with the schema: the correlator reads public.assets but does not migrate. */
export async function createMigratedSpecDatabase(name: string): Promise<SpecDatabase> {
  const database = await createSpecDatabase(name);
  const dataSource = await openDataSource(
    { url: database.url, applicationName: 'correlator-spec' },
    { migrate: true },
  );
  await dataSource.destroy();
  return database;
}
