import { NotFoundException } from '@nestjs/common';
import { withTenant, type DataSource, type EntityManager } from '@soc/persistence';

/** A 404 in the API's error shape, naming the field that found nothing. */
export const notFound = (path: string, reason: string) =>
  new NotFoundException({ statusCode: 404, error: 'Not Found', errors: [{ path, reason }] });

/** Runs a read-model query in a read-only transaction scoped to one tenant under row level security. */
export function readAsTenant<T>(
  dataSource: DataSource,
  tenantId: string,
  query: (db: EntityManager, tenantId: string) => Promise<T>,
): Promise<T> {
  return withTenant(dataSource, tenantId, (db) => query(db, tenantId), { readOnly: true });
}
