import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import fc from 'fast-check';
import { createLogger } from '@soc/observability';
import { newApiKeyMaterial } from '@soc/persistence';
import {
  createSpecDatabase,
  createTopic,
  infraFromEnv,
  specInfraConfig,
  uniqueName,
  waitFor,
  type SpecDatabase,
} from '@soc/testing';
import { openStream } from '../../../test/support/sse-client';
import { DEFAULT_QUERY_API_LIMITS, type QueryApiConfig } from './query-api.config';
import { createQueryApiApp } from './query-api.module';

const logger = createLogger('query-api-hostile-spec', 'fatal');

interface Reply {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: unknown;
}

/**
 * The query API against hostile callers, on the real stack: credentials before bodies, byte
 * limits, out-of-range parameters, rate limits, stream caps, lifetimes and revocation, key
 * expiry, and a property-based sweep of every operation in its own OpenAPI document.
 */
describe('query API under hostile callers', () => {
  let database: SpecDatabase;
  let app: NestExpressApplication;
  let api = '';
  const bootstrapKey = newApiKeyMaterial().apiKey;
  const tenantId = uniqueName('hostile').replace(/[^A-Za-z0-9_.-]/g, '-');
  let adminKey = '';
  let analystKey = '';

  const call = async (
    method: string,
    path: string,
    options: { key?: string; body?: string; contentType?: string } = {},
  ): Promise<Reply> => {
    const response = await fetch(`${api}${path}`, {
      method,
      headers: {
        ...(options.key ? { 'x-api-key': options.key } : {}),
        ...(options.body !== undefined
          ? { 'content-type': options.contentType ?? 'application/json' }
          : {}),
      },
      ...(options.body !== undefined ? { body: options.body } : {}),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
  };

  const issueKey = async (extra: Record<string, unknown> = {}) => {
    const reply = await call('POST', `/api/v1/admin/tenants/${tenantId}/api-keys`, {
      key: adminKey,
      body: JSON.stringify({ role: 'analyst', name: uniqueName('analyst'), ...extra }),
    });
    expect(reply.status).toBe(201);
    return reply.body as { apiKey: string; keyId: string };
  };

  beforeAll(async () => {
    database = await createSpecDatabase('query_api_hostile');
    const infra = infraFromEnv();
    const config: QueryApiConfig = {
      infra: specInfraConfig(infra, database.url, 1, 'query'),
      httpPort: 0,
      feedbackTopic: await createTopic(uniqueName('feedback'), 1),
      feedbackEncoding: 'avro',
      tenantConfigTopic: await createTopic(uniqueName('tenant-config'), 1),
      migrate: true,
      databasePoolSize: 5,
      projectionWaitMs: 1_000,
      platformTenantId: 'platform',
      bootstrapAdminKey: bootstrapKey,
      apiKeyCacheMs: 1_000,
      apiKeyOutageGraceMs: 60_000,
      oidc: null,
      limits: {
        ...DEFAULT_QUERY_API_LIMITS,
        ratePerSecond: 1_000,
        rateBurst: 1_000,
        failedAuthPerSecond: 1,
        sseMaxPerTenant: 2,
        sseLifetimeMs: 2_000,
      },
    };
    app = await createQueryApiApp(config, logger);
    await app.listen(0, '127.0.0.1');
    api = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    const created = await call('POST', '/api/v1/admin/tenants', {
      key: bootstrapKey,
      body: JSON.stringify({ tenant_id: tenantId, name: tenantId }),
    });
    expect(created.status).toBe(201);
    adminKey = (created.body as { adminKey: { apiKey: string } }).adminKey.apiKey;
    analystKey = (await issueKey()).apiKey;
  });

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('checks credentials before reading the body', async () => {
    const reply = await call('POST', '/api/v1/feedback', { body: '{"broken": ' });
    expect(reply.status).toBe(401);
  });

  it('refuses a 10 MB JSON body from a valid key with 413, not by parsing it', async () => {
    const body = JSON.stringify({ note: 'x'.repeat(10 * 1024 * 1024) });
    const reply = await call('POST', '/api/v1/feedback', { key: analystKey, body });
    expect(reply.status).toBe(413);
  });

  it('answers an out-of-range time with 400 naming the field', async () => {
    const reply = await call('GET', '/api/v1/stats?from=99999999999999999999', {
      key: analystKey,
    });
    expect(reply.status).toBe(400);
    expect(JSON.stringify(reply.body)).toContain('"path":"from"');
  });

  it('slows down guessing: failed sign-ins from one address get 429 with Retry-After', async () => {
    const replies: Reply[] = [];
    for (let i = 0; i < 10; i += 1)
      replies.push(await call('GET', '/api/v1/me', { key: newApiKeyMaterial().apiKey }));
    expect(replies[0]?.status).toBe(401);
    const limited = replies.find((r) => r.status === 429);
    expect(limited?.retryAfter).toMatch(/^[1-9]\d*$/);
  });

  it('caps open streams per tenant', async () => {
    const first = await openStream(`${api}/api/v1/stream`, analystKey);
    const second = await openStream(`${api}/api/v1/stream`, analystKey);
    const third = await call('GET', '/api/v1/stream', { key: analystKey });
    try {
      expect([first.status, second.status, third.status]).toEqual([200, 200, 429]);
    } finally {
      first.close();
      second.close();
    }
  });

  it('ends a stream after its lifetime, and a revoked key stops streaming', async () => {
    const lived = await openStream(`${api}/api/v1/stream`, analystKey);
    await lived.ended;
    expect(lived.events.map((e) => e.event)).toEqual(['ready', 'end']);

    const doomed = await issueKey();
    const stream = await openStream(`${api}/api/v1/stream`, doomed.apiKey);
    expect(stream.status).toBe(200);
    const revoked = await call(
      'DELETE',
      `/api/v1/admin/tenants/${tenantId}/api-keys/${doomed.keyId}`,
      { key: adminKey },
    );
    expect(revoked.status).toBe(204);
    await stream.ended;
    expect(stream.events.map((e) => e.event)).toEqual(['ready', 'revoked']);
    expect((await call('GET', '/api/v1/me', { key: doomed.apiKey })).status).toBe(401);
  });

  it('stops accepting a key at its expiry', async () => {
    const expiring = await issueKey({ expires_at: new Date(Date.now() + 1_500).toISOString() });
    expect((await call('GET', '/api/v1/me', { key: expiring.apiKey })).status).toBe(200);
    await waitFor(
      async () => (await call('GET', '/api/v1/me', { key: expiring.apiKey })).status === 401,
      { timeoutMs: 10_000, describe: 'the expired key refused' },
    );
  });

  it('answers no generated request to any OpenAPI operation with a 5xx', async () => {
    const document = (await call('GET', '/docs-json')).body as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
    };
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        query: (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
      })),
    );
    expect(operations.length).toBeGreaterThan(10);
    const hostileText = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.constantFrom(
        '99999999999999999999',
        '-1',
        '1e400',
        'NaN',
        '\u0000',
        '\ud800',
        '%00',
        '../../etc/passwd',
        "' OR 1=1 --",
        'x'.repeat(5_000),
      ),
    );
    const request = fc.record({
      operation: fc.constantFrom(...operations.filter((o) => o.path !== '/api/v1/stream')),
      pathValue: hostileText,
      query: fc.dictionary(fc.string({ maxLength: 12 }), hostileText, { maxKeys: 4 }),
      knownQuery: hostileText,
      body: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(undefined)),
      key: fc.constantFrom(adminKey, analystKey),
    });
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        // Every byte percent-encoded: a URL carries bytes, so a lone surrogate arrives as U+FFFD.
        const segment = [...Buffer.from(r.pathValue, 'utf8')]
          .map((b) => `%${b.toString(16).padStart(2, '0')}`)
          .join('');
        const path = r.operation.path.replace(/\{[^}]+\}/g, segment);
        const search = new URLSearchParams(r.query);
        for (const name of r.operation.query) search.set(name, r.knownQuery);
        const reply = await call(r.operation.method, `${path}?${search.toString()}`, {
          key: r.key,
          ...(r.body !== undefined && r.operation.method !== 'GET'
            ? { body: JSON.stringify(r.body) }
            : {}),
        });
        if (reply.status >= 500)
          failures.push(`${r.operation.method} ${path}?${search.toString()}: ${reply.status}`);
        return reply.status < 500;
      }),
      { numRuns: 300, seed: 11 },
    );
    expect(failures).toEqual([]);
  });
});
