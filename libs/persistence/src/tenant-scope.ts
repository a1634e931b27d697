import type { DataSource, EntityManager } from 'typeorm';
import { APP_ROLE, TENANT_SETTING } from './schema';

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
