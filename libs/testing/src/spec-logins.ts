// The services' least-privilege logins on the test server: one per group role, shared by every
// spec database (roles are cluster-wide, grants come with each database's migrations).
import { SERVICE_DATABASE_URL_VARIABLES, type DatabaseService } from '@soc/config';
import {
  SERVICE_ROLES,
  createGroupRolesDdl,
  createServiceLogin,
  openDataSource,
  type ServiceName,
} from '@soc/persistence';

/** A test server's password, not a secret: the logins can reach nothing but spec databases. */
const SPEC_LOGIN_PASSWORD = 'soc-spec-service-login';

const SERVICES = Object.keys(SERVICE_ROLES) as ServiceName[];

export const specLoginUser = (service: ServiceName): string => `soc_spec_${service}`;

/** Any constant: serializes the spec files that create the logins at the same time. */
const LOGINS_LOCK = 0x50c_10615;

/**
 * Creates (or resets) the spec logins, each in its service's group role. Spec files running in
 * parallel take turns through an advisory lock: two changes of one role at once fail.
 */
export async function ensureSpecLogins(serverUrl: string): Promise<void> {
  const dataSource = await openDataSource({ url: serverUrl, applicationName: 'spec-logins' });
  try {
    await dataSource.transaction(async (db) => {
      await db.query('SELECT pg_advisory_xact_lock($1)', [LOGINS_LOCK]);
      for (const statement of createGroupRolesDdl) await db.query(statement);
      for (const service of SERVICES) {
        await createServiceLogin(db, {
          service,
          user: specLoginUser(service),
          password: SPEC_LOGIN_PASSWORD,
        });
      }
    });
  } finally {
    await dataSource.destroy();
  }
}

/** `databaseUrl` (a spec database, as its owner) as the service's login. */
export function serviceDatabaseUrl(databaseUrl: string, service: ServiceName): string {
  const url = new URL(databaseUrl);
  url.username = specLoginUser(service);
  url.password = SPEC_LOGIN_PASSWORD;
  return url.toString();
}

/**
 * Every `<SERVICE>_DATABASE_URL` for a spec database: the services connect as their logins,
 * while DATABASE_URL (the owner) stays for their start-up migrations.
 */
export function serviceDatabaseEnv(databaseUrl: string): Record<string, string> {
  return Object.fromEntries(
    (Object.keys(SERVICE_DATABASE_URL_VARIABLES) as DatabaseService[]).map((service) => [
      SERVICE_DATABASE_URL_VARIABLES[service],
      serviceDatabaseUrl(databaseUrl, service),
    ]),
  );
}
