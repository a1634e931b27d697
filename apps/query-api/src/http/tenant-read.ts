import { NotFoundException } from '@nestjs/common';
import { tenantReader, type DataSource, type TenantReader } from '@soc/persistence';

/** A 404 in the API's error shape, naming the field that found nothing. */
export const notFound = (path: string, reason: string) =>
  new NotFoundException({ statusCode: 404, error: 'Not Found', errors: [{ path, reason }] });

/**
 * Runs read-model queries scoped to one tenant under row level security, each call a
 * read-only transaction of its own in one round trip (tenantReader).
 */
export function readAsTenant<T>(
  dataSource: DataSource,
  tenantId: string,
  query: (db: TenantReader, tenantId: string) => Promise<T>,
): Promise<T> {
  return query(tenantReader(dataSource, tenantId), tenantId);
}
