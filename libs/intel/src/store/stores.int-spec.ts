import {
  canonicalIndicator,
  DEFAULT_VERDICT_TTLS,
  stampVerdict,
  type Indicator,
} from '@soc/domain';
import { openDataSource, type DataSource } from '@soc/persistence';
import { createSpecDatabase, type SpecDatabase } from '@soc/testing';
import {
  providerFixture,
  startProviderServer,
  type ProviderServer,
} from '../../../../test/support/intel-provider-server';
import { RemoteLookups } from '../lookup/remote-lookups';
import { abuseIpdbClient } from '../providers/abuseipdb';
import { ApiKey } from '../settings/api-key';
import type { TenantProvider } from '../settings/intel-settings';
import { BudgetStore } from './budget-store';
import { nextIntelSequence } from './event-sequences';
import { PendingLookups } from './pending-lookups';
import { VerdictCache } from './verdict-cache';

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);
const ip = canonicalIndicator('ip', '118.25.6.39') as Indicator;
const limits = { perMinute: 4, perDay: 500 };

describe('threat-intel stores in PostgreSQL', () => {
  let database: SpecDatabase;
  let db: DataSource;
  let peer: DataSource;

  beforeAll(async () => {
    database = await createSpecDatabase('intel_stores');
    db = await openDataSource(
      { url: database.url, applicationName: 'intel-spec' },
      { migrate: true },
    );
    peer = await openDataSource({ url: database.url, applicationName: 'intel-spec-peer' });
  });
  afterAll(async () => {
    await peer?.destroy();
    await db?.destroy();
    await database?.drop();
  });

  it('serves a cached verdict until its kind’s TTL runs out, and keeps the newer of two', async () => {
    const cache = new VerdictCache(db);
    const finding = {
      verdict: 'malicious' as const,
      score: 97,
      evidence: 'AbuseIPDB confidence 97',
    };
    const verdict = stampVerdict({
      provider: 'abuseipdb',
      indicator: ip,
      finding,
      fetchedAt: T0,
      ttls: DEFAULT_VERDICT_TTLS,
    });
    await cache.put(verdict);
    expect(await cache.fresh('abuseipdb', ip, T0 + 1)).toEqual(verdict);
    expect(await cache.fresh('abuseipdb', ip, verdict.expiresAt)).toBeUndefined();
    expect(await cache.fresh('virustotal', ip, T0 + 1)).toBeUndefined();
    await cache.put({ ...verdict, evidence: 'older', fetchedAt: T0 - 1 });
    expect((await cache.fresh('abuseipdb', ip, T0 + 1))?.evidence).toBe('AbuseIPDB confidence 97');
    expect(await cache.purge(verdict.expiresAt)).toBe(1);
  });

  it('grants exactly the budget across two instances taking at once', async () => {
    const scopes = [{ scope: 'key:virustotal:env:SHARED', limits }];
    const stores = [new BudgetStore(db), new BudgetStore(peer)];
    const grants = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (stores[i % 2] as BudgetStore).take(scopes, T0)),
    );
    expect(grants.filter((g) => g.granted)).toHaveLength(4);
    expect(grants.find((g) => !g.granted)).toEqual({
      granted: false,
      retryAt: T0 + 15_000,
      reason: 'rate of 4 requests a minute reached',
    });
    await new BudgetStore(db).block(scopes[0]!, T0 + 120_000, T0);
    expect(await new BudgetStore(peer).take(scopes, T0 + 60_000)).toMatchObject({
      granted: false,
      retryAt: T0 + 120_000,
    });
  });

  it('merges the alerts of one pending lookup, leases due rows to one worker, and keeps alerts that joined meanwhile', async () => {
    const pending = new PendingLookups(db);
    const base = { tenantId: 'acme', provider: 'abuseipdb', indicator: ip, partition: 3 };
    await pending.enqueue({ ...base, alertIds: ['a-1'] }, T0);
    await pending.enqueue({ ...base, alertIds: ['a-2', 'a-1'] }, T0);
    const [first, second] = await Promise.all([
      pending.claimDue(T0, 10, 60_000),
      new PendingLookups(peer).claimDue(T0, 10, 60_000),
    ]);
    const claimed = [...(first ?? []), ...(second ?? [])];
    expect(claimed).toHaveLength(1);
    expect(claimed[0]).toMatchObject({
      tenantId: 'acme',
      partition: 3,
      attempts: 0,
      indicator: ip,
    });
    expect([...(claimed[0]?.alertIds ?? [])].sort()).toEqual(['a-1', 'a-2']);
    expect(await pending.claimDue(T0 + 59_999, 10, 60_000)).toEqual([]);
    await pending.reschedule(claimed[0]!, T0 + 30_000, 'HTTP 429');
    expect(await pending.claimDue(T0 + 30_000, 10, 60_000)).toMatchObject([{ attempts: 1 }]);
    await pending.enqueue({ ...base, alertIds: ['a-3'] }, T0 + 40_000);
    await pending.complete(claimed[0]!, T0 + 40_000);
    expect(await pending.claimDue(T0 + 40_000, 10, 60_000)).toMatchObject([
      { alertIds: ['a-3'], attempts: 0 },
    ]);
    await pending.complete({ ...claimed[0]!, alertIds: ['a-3'] }, T0 + 50_000);
    expect(await pending.count()).toBe(0);
  });

  it('numbers intel events per tenant and stream', async () => {
    expect(await nextIntelSequence(db, 'acme', 'intel:abuseipdb:ip:118.25.6.39')).toBe(1);
    expect(await nextIntelSequence(peer, 'acme', 'intel:abuseipdb:ip:118.25.6.39')).toBe(2);
    expect(await nextIntelSequence(db, 'globex', 'intel:abuseipdb:ip:118.25.6.39')).toBe(1);
  });

  describe('remote lookups', () => {
    let server: ProviderServer;
    beforeEach(async () => {
      server = await startProviderServer();
    });
    afterEach(async () => {
      await server.close();
    });

    const provider = (scope: string): TenantProvider => ({
      provider: 'abuseipdb',
      apiKey: new ApiKey('k', 'env:K'),
      budgets: [{ scope, limits }],
    });
    const lookups = (now: () => number) =>
      new RemoteLookups({
        cache: new VerdictCache(db),
        budgets: new BudgetStore(db),
        clients: [
          abuseIpdbClient({
            baseUrl: server.baseUrl,
            timeoutMs: 500,
            maxResponseBytes: 65_536,
            now,
          }),
        ],
        ttls: DEFAULT_VERDICT_TTLS,
        retryBaseMs: 30_000,
        now,
      });

    it('asks the provider once for concurrent lookups of one indicator, then answers from the cache', async () => {
      server.script('/api/v2/check', [
        { status: 200, body: providerFixture('abuseipdb-check.json'), delayMs: 100 },
      ]);
      const other = canonicalIndicator('ip', '118.25.6.40') as Indicator;
      const service = lookups(() => T0 + 1_000_000);
      const results = await Promise.all(
        [1, 2, 3].map(() => service.resolve(provider('key:dedupe'), other, 0)),
      );
      expect(server.requests).toHaveLength(1);
      expect(results.map((r) => r.kind === 'verdict' && r.verdict.verdict)).toEqual([
        'malicious',
        'malicious',
        'malicious',
      ]);
      expect(await service.resolve(provider('key:dedupe'), other, 0)).toMatchObject({
        kind: 'verdict',
        fromCache: true,
      });
      expect(server.requests).toHaveLength(1);
    });

    it('defers a rate-limited lookup to the provider’s Retry-After and stops the key’s budget', async () => {
      server.script('/api/v2/check', [
        {
          status: 429,
          body: providerFixture('abuseipdb-rate-limited.json'),
          headers: { 'retry-after': '600' },
        },
      ]);
      const fresh = canonicalIndicator('ip', '118.25.6.41') as Indicator;
      const at = T0 + 2_000_000;
      const result = await lookups(() => at).resolve(provider('key:limited'), fresh, 0);
      expect(result).toEqual({
        kind: 'deferred',
        reason: expect.stringContaining('HTTP 429 from AbuseIPDB'),
        retryAt: at + 600_000,
      });
      const again = await lookups(() => at + 1).resolve(provider('key:limited'), fresh, 1);
      expect(again).toEqual({
        kind: 'deferred',
        reason: 'abuseipdb budget: provider asked to wait (rate limited)',
        retryAt: at + 600_000,
      });
      expect(server.requests).toHaveLength(1);
    });
  });
});
