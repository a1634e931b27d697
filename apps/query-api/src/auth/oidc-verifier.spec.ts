import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { OidcConfig } from '../query-api.config';
import { OidcVerifier, TokenRejected } from './oidc-verifier';

const config: OidcConfig = {
  jwksUrl: 'https://idp.example/jwks',
  issuer: 'https://idp.example/',
  audience: 'soc-api',
  tenantClaim: 'tenant_id',
  roleClaim: 'soc_role',
};
const NOW = Date.UTC(2025, 0, 15, 9, 0, 0);
const nowS = Math.floor(NOW / 1000);

const signer = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwks = {
  keys: [{ ...signer.publicKey.export({ format: 'jwk' }), kid: 'k1', use: 'sig', alg: 'RS256' }],
};

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function token(
  claims: Record<string, unknown>,
  {
    key = signer.privateKey,
    kid = 'k1',
    alg = 'RS256',
  }: { key?: KeyObject; kid?: string; alg?: string } = {},
): string {
  const head = b64({ alg, kid, typ: 'JWT' });
  const body = b64({
    iss: config.issuer,
    aud: 'soc-api',
    exp: nowS + 300,
    sub: 'u-1',
    tenant_id: 'tenant-a',
    ...claims,
  });
  const signature = sign('sha256', Buffer.from(`${head}.${body}`), key).toString('base64url');
  return `${head}.${body}.${signature}`;
}

describe('OidcVerifier', () => {
  let fetches = 0;
  const verifier = () => {
    fetches = 0;
    return new OidcVerifier(
      config,
      async () => {
        fetches += 1;
        return jwks;
      },
      () => NOW,
    );
  };

  it('accepts an RS256 token from the JWKS and takes tenant, role and subject from its claims', async () => {
    const principal = await verifier().verify(
      token({ soc_role: 'admin', preferred_username: 'alice' }),
    );
    expect(principal).toEqual({
      tenantId: 'tenant-a',
      role: 'admin',
      subject: 'alice',
      via: 'oidc',
    });
  });

  it('defaults the role to analyst and caches the keys', async () => {
    const v = verifier();
    await v.verify(token({}));
    const principal = await v.verify(token({ email: 'bob@example.com' }));
    expect(principal).toMatchObject({ role: 'analyst', subject: 'bob@example.com' });
    expect(fetches).toBe(1);
  });

  it.each([
    ['a signature by another key', () => token({}, { key: stranger.privateKey }), 'bad signature'],
    ['an expired token', () => token({ exp: nowS - 3_600 }), 'expired or no exp'],
    ['a token not valid yet', () => token({ nbf: nowS + 3_600 }), 'not valid yet'],
    ['another issuer', () => token({ iss: 'https://evil.example/' }), 'wrong issuer'],
    ['another audience', () => token({ aud: ['other'] }), 'wrong audience'],
    ['no tenant claim', () => token({ tenant_id: undefined }), 'no tenant_id claim'],
    ['the ingest role', () => token({ soc_role: 'ingest' }), 'role ingest not accepted'],
    ['alg none', () => token({}, { alg: 'none' }), 'algorithm none not accepted (RS256 only)'],
    ['an unknown kid', () => token({}, { kid: 'k9' }), 'unknown kid k9'],
    ['garbage', () => 'not.a.jwt-at-all', 'header is not base64url JSON'],
  ])('rejects %s', async (_name, make, reason) => {
    await expect(verifier().verify(make())).rejects.toEqual(new TokenRejected(reason));
  });
});
