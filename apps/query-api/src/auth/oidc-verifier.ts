import {
  createPublicKey,
  verify as verifySignature,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import { isObject, type JsonObject } from '@soc/contracts';
import type { OidcConfig } from '../query-api.config';
import type { Principal } from './principal';

export type FetchJson = (url: string) => Promise<unknown>;

const defaultFetchJson: FetchJson = async (url) => {
  const response = await fetch(url, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(5_000),
  });
  if (!response.ok) throw new Error(`JWKS ${url} answered ${response.status}`);
  return (await response.json()) as unknown;
};

export class TokenRejected extends Error {}

const CLOCK_SKEW_S = 60;
const JWKS_MIN_REFRESH_MS = 30_000;

function decodeSegment(segment: string, what: string): JsonObject {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new TokenRejected(`${what} is not base64url JSON`);
  }
  if (!isObject(parsed)) throw new TokenRejected(`${what} is not a JSON object`);
  return parsed;
}

/**
 * Verifies OIDC access tokens (JWT, RS256 only) against the provider's JWKS with node:crypto.
 * Deliberately small: signature, expiry, not-before, issuer, audience, and the tenant claim.
 * Keys are cached by `kid`; an unknown kid refetches the JWKS at most every 30 s (rotation).
 */
export class OidcVerifier {
  private keys = new Map<string, KeyObject>();
  private fetchedAt = 0;

  constructor(
    private readonly config: OidcConfig,
    private readonly fetchJson: FetchJson = defaultFetchJson,
    private readonly now: () => number = Date.now,
  ) {}

  async verify(token: string): Promise<Principal> {
    const parts = token.split('.');
    if (parts.length !== 3) throw new TokenRejected('not a JWT');
    const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
    const header = decodeSegment(headerPart, 'header');
    if (header.alg !== 'RS256')
      throw new TokenRejected(`algorithm ${String(header.alg)} not accepted (RS256 only)`);
    if (typeof header.kid !== 'string') throw new TokenRejected('header has no kid');
    const key = await this.key(header.kid);
    const valid = verifySignature(
      'sha256',
      Buffer.from(`${headerPart}.${payloadPart}`),
      key,
      Buffer.from(signaturePart, 'base64url'),
    );
    if (!valid) throw new TokenRejected('bad signature');

    const claims = decodeSegment(payloadPart, 'payload');
    const nowS = Math.floor(this.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp + CLOCK_SKEW_S < nowS)
      throw new TokenRejected('expired or no exp');
    if (typeof claims.nbf === 'number' && claims.nbf - CLOCK_SKEW_S > nowS)
      throw new TokenRejected('not valid yet');
    if (claims.iss !== this.config.issuer) throw new TokenRejected('wrong issuer');
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(this.config.audience)) throw new TokenRejected('wrong audience');
    const tenantId = claims[this.config.tenantClaim];
    if (typeof tenantId !== 'string' || tenantId === '')
      throw new TokenRejected(`no ${this.config.tenantClaim} claim`);
    const role = claims[this.config.roleClaim] ?? 'analyst';
    // Ingest authenticates with API keys only; people are analysts or admins.
    if (role !== 'analyst' && role !== 'admin')
      throw new TokenRejected(`role ${String(role)} not accepted`);
    const subject =
      [claims.preferred_username, claims.email, claims.sub].find(
        (v): v is string => typeof v === 'string',
      ) ?? 'unknown';
    return { tenantId, role, subject, via: 'oidc' };
  }

  private async key(kid: string): Promise<KeyObject> {
    const cached = this.keys.get(kid);
    if (cached) return cached;
    if (this.now() - this.fetchedAt < JWKS_MIN_REFRESH_MS && this.fetchedAt > 0)
      throw new TokenRejected(`unknown kid ${kid}`);
    await this.refresh();
    const key = this.keys.get(kid);
    if (!key) throw new TokenRejected(`unknown kid ${kid}`);
    return key;
  }

  private async refresh(): Promise<void> {
    this.fetchedAt = this.now();
    const jwks = await this.fetchJson(this.config.jwksUrl);
    const keys = new Map<string, KeyObject>();
    const list = isObject(jwks) && Array.isArray(jwks.keys) ? jwks.keys : [];
    for (const jwk of list) {
      if (!isObject(jwk) || jwk.kty !== 'RSA' || typeof jwk.kid !== 'string') continue;
      if (jwk.use !== undefined && jwk.use !== 'sig') continue;
      try {
        keys.set(jwk.kid, createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }));
      } catch {
        // A malformed key in the set is skipped; tokens signed with it are rejected.
      }
    }
    this.keys = keys;
  }
}
