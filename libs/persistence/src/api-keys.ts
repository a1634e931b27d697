import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { API_KEY_ROLES, isOneOf, type ApiKeyRole } from '@soc/contracts';
import { selectRows } from './data-source';
import { withTenant } from './tenant-scope';

/**
 * API keys look like `soc_<keyId>_<secret>`: the key id finds the row, the secret is checked
 * against a salted SHA-256. The secret is 256 random bits, so a slow password hash would add
 * latency to every request without making guessing any harder; the salt keeps equal secrets
 * from having equal hashes and the comparison is constant-time.
 */
export interface ApiKeyPrincipal {
  readonly tenantId: string;
  readonly role: ApiKeyRole;
  readonly keyId: string;
  /** Who the key was issued to (an analyst, a relay): names the actor of analyst actions. */
  readonly name?: string;
}

export interface IssuedApiKey extends ApiKeyPrincipal {
  /** Shown once; only its salted hash is stored. */
  readonly apiKey: string;
  readonly name: string;
}

const KEY_PATTERN = /^soc_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export function parseApiKey(apiKey: string): { keyId: string; secret: string } | undefined {
  const match = KEY_PATTERN.exec(apiKey.trim());
  return match ? { keyId: match[1] as string, secret: match[2] as string } : undefined;
}

export function hashSecret(salt: Buffer, secret: string): Buffer {
  return createHash('sha256').update(salt).update(secret, 'utf8').digest();
}

export function newApiKeyMaterial(): {
  keyId: string;
  secret: string;
  apiKey: string;
  salt: Buffer;
  secretHash: Buffer;
} {
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const salt = randomBytes(16);
  return {
    keyId,
    secret,
    apiKey: `soc_${keyId}_${secret}`,
    salt,
    secretHash: hashSecret(salt, secret),
  };
}

export const isApiKeyRole = (value: unknown): value is ApiKeyRole => isOneOf(API_KEY_ROLES, value);

/** Creates a tenant (idempotent) under its own RLS scope. */
export async function ensureTenant(
  dataSource: DataSource,
  tenantId: string,
  name: string,
): Promise<boolean> {
  return withTenant(dataSource, tenantId, async (manager) => {
    const inserted = await selectRows<{ tenant_id: string }>(
      manager,
      `INSERT INTO public.tenants (tenant_id, name) VALUES ($1, $2)
       ON CONFLICT (tenant_id) DO NOTHING RETURNING tenant_id`,
      [tenantId, name],
    );
    return inserted.length > 0;
  });
}

export async function issueApiKey(
  dataSource: DataSource,
  request: { readonly tenantId: string; readonly role: ApiKeyRole; readonly name: string },
): Promise<IssuedApiKey> {
  const material = newApiKeyMaterial();
  await withTenant(dataSource, request.tenantId, (manager) =>
    manager.query(
      `INSERT INTO public.api_keys (key_id, tenant_id, role, name, salt, secret_hash)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        material.keyId,
        request.tenantId,
        request.role,
        request.name,
        material.salt,
        material.secretHash,
      ],
    ),
  );
  return {
    apiKey: material.apiKey,
    keyId: material.keyId,
    tenantId: request.tenantId,
    role: request.role,
    name: request.name,
  };
}

/**
 * Stores a key chosen by the operator (BOOTSTRAP_ADMIN_KEY) if its key id is unknown: the
 * first admin key of a fresh deployment. Returns false when the key id exists already.
 */
export async function installApiKey(
  dataSource: DataSource,
  request: {
    readonly tenantId: string;
    readonly role: ApiKeyRole;
    readonly name: string;
    readonly apiKey: string;
  },
): Promise<boolean> {
  const parsed = parseApiKey(request.apiKey);
  if (!parsed) throw new Error('not an API key: expected soc_<16 hex>_<43 base64url characters>');
  const salt = randomBytes(16);
  return withTenant(dataSource, request.tenantId, async (manager) => {
    const rows = await selectRows<{ key_id: string }>(
      manager,
      `INSERT INTO public.api_keys (key_id, tenant_id, role, name, salt, secret_hash)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (key_id) DO NOTHING RETURNING key_id`,
      [
        parsed.keyId,
        request.tenantId,
        request.role,
        request.name,
        salt,
        hashSecret(salt, parsed.secret),
      ],
    );
    return rows.length > 0;
  });
}

/**
 * Verifies presented keys against the database, caching answers briefly: a revoked key stops
 * working within `cacheTtlMs`. Shared by the query API and ingest.
 */
export class PgApiKeyVerifier {
  private readonly cache = new Map<
    string,
    { readonly principal: ApiKeyPrincipal | undefined; readonly until: number }
  >();

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: {
      readonly cacheTtlMs?: number;
      readonly maxCached?: number;
      readonly now?: () => number;
    } = {},
  ) {}

  async verify(apiKey: string): Promise<ApiKeyPrincipal | undefined> {
    const parsed = parseApiKey(apiKey);
    if (!parsed) return undefined;
    const now = (this.options.now ?? Date.now)();
    const cacheKey = createHash('sha256').update(apiKey).digest('base64');
    const cached = this.cache.get(cacheKey);
    if (cached && cached.until > now) return cached.principal;

    const [row] = await selectRows<{
      key_id: string;
      tenant_id: string;
      role: string;
      name: string;
      salt: Buffer;
      secret_hash: Buffer;
    }>(
      this.dataSource,
      'SELECT key_id, tenant_id, role, name, salt, secret_hash FROM public.soc_api_key_lookup($1)',
      [parsed.keyId],
    );
    let principal: ApiKeyPrincipal | undefined;
    if (row && isOneOf(API_KEY_ROLES, row.role)) {
      const presented = hashSecret(row.salt, parsed.secret);
      if (
        presented.length === row.secret_hash.length &&
        timingSafeEqual(presented, row.secret_hash)
      ) {
        principal = { tenantId: row.tenant_id, role: row.role, keyId: row.key_id, name: row.name };
      }
    }
    const ttl = this.options.cacheTtlMs ?? 30_000;
    if (ttl > 0) {
      if (this.cache.size >= (this.options.maxCached ?? 10_000)) this.cache.clear();
      this.cache.set(cacheKey, { principal, until: now + ttl });
    }
    return principal;
  }
}
