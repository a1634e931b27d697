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
  request: {
    readonly tenantId: string;
    readonly role: ApiKeyRole;
    readonly name: string;
    /** When the key stops working; null or absent: never. */
    readonly expiresAt?: Date | null;
  },
): Promise<IssuedApiKey> {
  const material = newApiKeyMaterial();
  await withTenant(dataSource, request.tenantId, (manager) =>
    manager.query(
      `INSERT INTO public.api_keys (key_id, tenant_id, role, name, salt, secret_hash, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        material.keyId,
        request.tenantId,
        request.role,
        request.name,
        material.salt,
        material.secretHash,
        request.expiresAt ?? null,
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

/** Revokes a key of the tenant; false when the tenant has no such key not yet revoked. */
export async function revokeApiKey(
  dataSource: DataSource,
  request: { readonly tenantId: string; readonly keyId: string },
): Promise<boolean> {
  const rows = await withTenant(dataSource, request.tenantId, (manager) =>
    selectRows<{ key_id: string }>(
      manager,
      `UPDATE public.api_keys SET revoked_at = now()
       WHERE key_id = $1 AND tenant_id = $2 AND revoked_at IS NULL RETURNING key_id`,
      [request.keyId, request.tenantId],
    ),
  );
  return rows.length > 0;
}

/** How long verified keys are trusted, and how many answers are kept. */
export interface ApiKeyCacheOptions {
  /** A verified key is re-checked against the database after this long (default 30 s). */
  readonly cacheTtlMs?: number;
  /**
   * While the database cannot be reached, a key verified within this long keeps working
   * (default 1 h), so alerts are not refused at the door when only the read model is down.
   */
  readonly staleTtlMs?: number;
  /** Verified keys kept (default 10,000); past it the oldest go first. */
  readonly maxCached?: number;
  /** Refused keys remembered for `cacheTtlMs`, in their own bounded map (default 10,000). */
  readonly maxRefused?: number;
  readonly now?: () => number;
}

interface Verified {
  readonly principal: ApiKeyPrincipal;
  readonly checkedAt: number;
  /** Epoch ms the key expires at, or null: a cached key stops then, database up or not. */
  readonly expiresAt: number | null;
}

/**
 * Verifies presented keys against the database, caching answers: a revoked key stops working
 * within `cacheTtlMs`. Verified and refused keys are cached apart and each map is bounded on
 * its own, so a flood of random keys can only evict other refused keys, never a verified one.
 * When the lookup fails (database down), a key verified within `staleTtlMs` is still accepted;
 * any other key gets the lookup's error, which the doors answer with 503. Shared by the query
 * API and ingest.
 */
export class PgApiKeyVerifier {
  private readonly verified = new Map<string, Verified>();
  private readonly refused = new Map<string, number>();
  private staleAnswers = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: ApiKeyCacheOptions = {},
  ) {}

  async verify(apiKey: string): Promise<ApiKeyPrincipal | undefined> {
    const parsed = parseApiKey(apiKey);
    if (!parsed) return undefined;
    const now = (this.options.now ?? Date.now)();
    const ttl = this.options.cacheTtlMs ?? 30_000;
    const cacheKey = createHash('sha256').update(apiKey).digest('base64');
    const cached = this.verified.get(cacheKey);
    const known =
      cached && (cached.expiresAt === null || cached.expiresAt > now) ? cached : undefined;
    if (known && now - known.checkedAt < ttl) return known.principal;
    const refusedAt = this.refused.get(cacheKey);
    if (refusedAt !== undefined && now - refusedAt < ttl) return undefined;

    let found: Omit<Verified, 'checkedAt'> | undefined;
    try {
      found = await this.lookUp(parsed);
    } catch (error) {
      if (known && now - known.checkedAt < (this.options.staleTtlMs ?? 3_600_000)) {
        this.staleAnswers += 1;
        return known.principal;
      }
      throw error;
    }
    this.remember(cacheKey, found, now);
    return found?.principal;
  }

  /** Drops a key from this process's cache at once (revoked through this process's API). */
  forget(keyId: string): void {
    for (const [cacheKey, entry] of this.verified) {
      if (entry.principal.keyId === keyId) this.verified.delete(cacheKey);
    }
  }

  /** Keys accepted from the cache past their re-check time because the lookup failed. */
  get staleAnswersGiven(): number {
    return this.staleAnswers;
  }

  private remember(
    cacheKey: string,
    found: Omit<Verified, 'checkedAt'> | undefined,
    now: number,
  ): void {
    if ((this.options.cacheTtlMs ?? 30_000) <= 0) return;
    this.verified.delete(cacheKey);
    this.refused.delete(cacheKey);
    if (found) {
      this.verified.set(cacheKey, { ...found, checkedAt: now });
      evictOldest(this.verified, this.options.maxCached ?? 10_000);
    } else {
      this.refused.set(cacheKey, now);
      evictOldest(this.refused, this.options.maxRefused ?? 10_000);
    }
  }

  private async lookUp(parsed: {
    readonly keyId: string;
    readonly secret: string;
  }): Promise<Omit<Verified, 'checkedAt'> | undefined> {
    const [row] = await selectRows<{
      key_id: string;
      tenant_id: string;
      role: string;
      name: string;
      salt: Buffer;
      secret_hash: Buffer;
      expires_at: Date | null;
    }>(
      this.dataSource,
      `SELECT key_id, tenant_id, role, name, salt, secret_hash, expires_at
       FROM public.soc_api_key_lookup($1)`,
      [parsed.keyId],
    );
    if (!row || !isOneOf(API_KEY_ROLES, row.role)) return undefined;
    const presented = hashSecret(row.salt, parsed.secret);
    const matches =
      presented.length === row.secret_hash.length && timingSafeEqual(presented, row.secret_hash);
    if (!matches) return undefined;
    return {
      principal: { tenantId: row.tenant_id, role: row.role, keyId: row.key_id, name: row.name },
      expiresAt: row.expires_at === null ? null : row.expires_at.getTime(),
    };
  }
}

/** Insertion-ordered maps: the first keys are the oldest. */
function evictOldest<V>(map: Map<string, V>, max: number): void {
  for (const key of map.keys()) {
    if (map.size <= max) return;
    map.delete(key);
  }
}
