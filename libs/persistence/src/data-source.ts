import { DataSource, type EntityManager } from 'typeorm';
import { MIGRATIONS } from './migrations';

export interface DataSourceOptions {
  /** postgres://user@host:port/database */
  readonly url: string;
  /** Shown in pg_stat_activity, so a stuck query names its service. */
  readonly applicationName: string;
  readonly poolSize?: number;
  readonly statementTimeoutMs?: number;
  /** Longest wait for a connection from the pool (or a new one); the pool's default waits forever. */
  readonly acquireTimeoutMs?: number;
}

/**
 * A TypeORM data source over DATABASE_URL (a URL alone or full options): the connection pool,
 * transactions and the migration runner. The schema comes from MIGRATIONS only; tables are
 * read and written with SQL whose columns derive from the table specs (read-model/tables.ts).
 */
export function createDataSource(urlOrOptions: string | DataSourceOptions): DataSource {
  const options: DataSourceOptions =
    typeof urlOrOptions === 'string' ? { url: urlOrOptions, applicationName: 'soc' } : urlOrOptions;
  return new DataSource({
    type: 'postgres',
    url: options.url,
    applicationName: options.applicationName,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: {
      max: options.poolSize ?? 10,
      ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
      ...(options.acquireTimeoutMs ? { connectionTimeoutMillis: options.acquireTimeoutMs } : {}),
    },
  });
}

/** Opens the data source and, when asked, brings the schema up to date first. */
export async function openDataSource(
  options: DataSourceOptions,
  { migrate = false }: { readonly migrate?: boolean } = {},
): Promise<DataSource> {
  const dataSource = createDataSource(options);
  await dataSource.initialize();
  if (migrate) await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}

/**
 * Brings the schema up to date as the schema owner (DATABASE_URL) on a connection of its own,
 * before a service connects as its least-privilege login. Returns the migrations applied.
 */
export async function migrateDatabase(
  ownerUrl: string,
  applicationName = 'soc-migrate',
): Promise<string[]> {
  const dataSource = await openDataSource({ url: ownerUrl, applicationName });
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await dataSource.destroy();
  }
}

/** Anything that runs SQL: a data source, an entity manager, a query runner. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/**
 * Runs SQL whose result columns the caller's own statement defines. The row type is the
 * statement's contract; values are still narrowed where they come from outside (JSON).
 */
export async function selectRows<T extends object>(
  db: Queryable,
  sql: string,
  parameters: unknown[] = [],
): Promise<T[]> {
  const result = await db.query(sql, parameters);
  if (!Array.isArray(result)) throw new Error('expected rows from a SELECT');
  return result as T[];
}

export type { DataSource, EntityManager };
