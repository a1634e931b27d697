import type { PoolClient, QueryResult } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { Queryable } from './data-source';
import { APP_ROLE, TENANT_SETTING } from './schema';
import { inlineParameters, sqlLiteral } from './sql-literals';

export interface TenantScopeOptions {
  /** Read-only transactions for queries: a stray write fails instead of landing. */
  readonly readOnly?: boolean;
}

/**
 * Runs `fn` in a transaction bound to one tenant: `app.tenant_id` is set for the transaction
 * and the session drops to the application role, so row level security filters every table
 * even when the caller connected as an owner or superuser. A missing WHERE clause can then
 * return no more than the tenant's own rows.
 */
export async function withTenant<T>(
  dataSource: DataSource,
  tenantId: string,
  fn: (manager: EntityManager) => Promise<T>,
  options: TenantScopeOptions = {},
): Promise<T> {
  if (!tenantId) throw new Error('withTenant needs a tenant id');
  return dataSource.transaction(async (manager) => {
    if (options.readOnly) await manager.query('SET TRANSACTION READ ONLY');
    await manager.query('SELECT set_config($1, $2, true)', [TENANT_SETTING, tenantId]);
    await manager.query(`SET LOCAL ROLE ${APP_ROLE}`);
    return fn(manager);
  });
}

/** One statement of a batch and its `$n` parameters. */
export interface Statement {
  readonly sql: string;
  readonly parameters?: readonly unknown[];
}

/** A tenant's reads: one statement, or several whose rows come back together. */
export interface TenantReader extends Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown[]>;
  /** The statements in ONE round trip; each one's rows, in order. */
  queryEach(statements: readonly Statement[]): Promise<unknown[][]>;
}

/**
 * Reads bound to one tenant at ONE round trip per call: the statements go out as one
 * simple-protocol message, `SET TRANSACTION READ ONLY; set_config(app.tenant_id); SET LOCAL
 * ROLE; <statements>`, which PostgreSQL runs as one implicit transaction that ends (committed,
 * or rolled back on an error) with the message. Row level security binds each statement exactly
 * as under withTenant. Separate calls run in transactions of their own: under READ COMMITTED
 * each statement of one transaction takes its own snapshot anyway, so they see the same data.
 * Parameters travel as quoted literals (sql-literals.ts).
 */
export function tenantReader(dataSource: DataSource, tenantId: string): TenantReader {
  if (!tenantId) throw new Error('tenantReader needs a tenant id');
  const scope = [
    'SET TRANSACTION READ ONLY',
    `SELECT set_config('${TENANT_SETTING}', ${sqlLiteral(tenantId)}, true)`,
    `SET LOCAL ROLE ${APP_ROLE}`,
  ];
  const driver = dataSource.driver as PostgresDriver;
  const queryEach = async (statements: readonly Statement[]): Promise<unknown[][]> => {
    const text = [
      ...scope,
      ...statements.map(({ sql, parameters }) => inlineParameters(sql, parameters ?? [])),
    ].join('; ');
    const [client, release] = (await driver.obtainMasterConnection()) as [
      PoolClient,
      (error?: Error) => void,
    ];
    try {
      const results = (await client.query(text)) as unknown as QueryResult[];
      return results.slice(scope.length).map((result) => result.rows);
    } finally {
      // Also after an error: the implicit transaction ended with the message, so the
      // connection is idle again (a broken socket ends the client, and the pool drops it).
      release();
    }
  };
  return {
    async query(sql: string, parameters: unknown[] = []): Promise<unknown[]> {
      const [rows] = await queryEach([{ sql, parameters }]);
      return rows ?? [];
    },
    queryEach,
  };
}
