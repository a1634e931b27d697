import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { escapeLiteral } from 'pg';
import { selectRows, type Queryable } from './data-source';
import { SERVICE_ROLES, grantMembershipDdl, type ServiceName } from './service-roles';

const LOGIN_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** Printable ASCII: SCRAM's SASLprep leaves it unchanged, so the verifier matches the server's. */
const PASSWORD = /^[\x21-\x7e]{16,128}$/;
const SCRAM_ITERATIONS = 4096;
const DUPLICATE_OBJECT = '42710';

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for `password` (RFC 5802, RFC 7677): what
 * psql's \password sends, so the password itself never reaches the server or its statement log.
 */
export function scramSha256Verifier(password: string, salt: Buffer = randomBytes(16)): string {
  const salted = pbkdf2Sync(password, salt, SCRAM_ITERATIONS, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${SCRAM_ITERATIONS}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

export interface ServiceLoginRequest {
  readonly service: ServiceName;
  /** The login's name: lower-case letters, digits and `_`. */
  readonly user: string;
  readonly password: string;
}

/** Why a login request cannot be carried out, or undefined when it can. */
export function serviceLoginProblem(request: ServiceLoginRequest): string | undefined {
  if (!Object.hasOwn(SERVICE_ROLES, request.service))
    return `service: expected one of ${Object.keys(SERVICE_ROLES).join(', ')}`;
  if (!LOGIN_NAME.test(request.user))
    return 'user: lower-case letters, digits and _ (at most 63), starting with a letter or _';
  if ((Object.values(SERVICE_ROLES) as string[]).includes(request.user))
    return `user: ${request.user} is a group role; name the login apart from it`;
  if (!PASSWORD.test(request.password))
    return 'password: 16 to 128 printable ASCII characters, no spaces';
  return undefined;
}

/**
 * Creates the login (or sets the password of an existing one) as a member of the service's
 * group role, inheriting its grants and nothing more: no superuser, no role or database
 * creation, no RLS bypass. Needs a role that may create roles (the schema owner).
 */
export async function createServiceLogin(
  db: Queryable,
  request: ServiceLoginRequest,
): Promise<{ readonly user: string; readonly role: string; readonly created: boolean }> {
  const problem = serviceLoginProblem(request);
  if (problem) throw new Error(problem);
  const role = SERVICE_ROLES[request.service];
  const verifier = escapeLiteral(scramSha256Verifier(request.password));
  const attributes = 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS INHERIT';
  const existing = await selectRows(db, 'SELECT 1 FROM pg_roles WHERE rolname = $1', [
    request.user,
  ]);
  const created = existing.length === 0;
  const alter = `ALTER ROLE ${request.user} ${attributes} PASSWORD ${verifier}`;
  if (!created) await db.query(alter);
  else {
    try {
      await db.query(`CREATE ROLE ${request.user} ${attributes} PASSWORD ${verifier}`);
    } catch (error) {
      // Created meanwhile by a concurrent call (roles are cluster-wide): set its password.
      if ((error as { code?: string }).code !== DUPLICATE_OBJECT) throw error;
      await db.query(alter);
    }
  }
  await db.query(grantMembershipDdl(role, request.user));
  return { user: request.user, role, created };
}
