import { inspect } from 'node:util';
import { canonicalIndicator, type Indicator } from '@soc/domain';
import {
  providerFixture,
  startProviderServer,
  type ProviderServer,
} from '../../../../test/support/intel-provider-server';
import { ApiKey } from '../settings/api-key';
import { abuseIpdbClient } from './abuseipdb';
import { virusTotalClient, virusTotalPath } from './virustotal';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const key = new ApiKey('vt-secret-0123456789', 'env:TEST_KEY');
const ip = canonicalIndicator('ip', '118.25.6.39') as Indicator;

describe('provider clients against a local server with the documented answers', () => {
  let server: ProviderServer;
  const options = () => ({
    baseUrl: server.baseUrl,
    timeoutMs: 300,
    maxResponseBytes: 1_048_576,
    now: () => NOW,
  });

  beforeEach(async () => {
    server = await startProviderServer();
  });
  afterEach(async () => {
    await server.close();
  });

  describe('VirusTotal v3', () => {
    it('reads an IP address object into a verdict, sending the key in x-apikey', async () => {
      server.script('/api/v3/ip_addresses/', [
        { status: 200, body: providerFixture('virustotal-ip-address.json') },
      ]);
      const outcome = await virusTotalClient(options()).lookup(ip, key);
      expect(outcome).toEqual({
        kind: 'found',
        finding: {
          verdict: 'malicious',
          score: 100,
          evidence:
            'VirusTotal: 7 of 94 engines malicious, 1 suspicious, reputation -12 for 118.25.6.39',
        },
      });
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]?.path).toBe('/api/v3/ip_addresses/118.25.6.39');
      expect(server.requests[0]?.headers['x-apikey']).toBe('vt-secret-0123456789');
    });

    it('addresses a URL by its unpadded base64url id', async () => {
      const url = canonicalIndicator('url', 'https://www.example.com/') as Indicator;
      expect(virusTotalPath(url)).toBe('/api/v3/urls/aHR0cHM6Ly93d3cuZXhhbXBsZS5jb20v');
      server.script('/api/v3/urls/', [
        { status: 200, body: providerFixture('virustotal-url.json') },
      ]);
      expect(await virusTotalClient(options()).lookup(url, key)).toMatchObject({
        kind: 'found',
        finding: { verdict: 'benign' },
      });
      expect(server.requests[0]?.path).toBe('/api/v3/urls/aHR0cHM6Ly93d3cuZXhhbXBsZS5jb20v');
    });

    it('takes 404 NotFoundError as a definite unknown', async () => {
      server.script('/api/v3/files/', [
        { status: 404, body: providerFixture('virustotal-not-found.json') },
      ]);
      const hash = canonicalIndicator('file_hash', '44d88612fea8a8f36de82e1278abb02e') as Indicator;
      expect(await virusTotalClient(options()).lookup(hash, key)).toEqual({
        kind: 'found',
        finding: {
          verdict: 'unknown',
          score: 0,
          evidence: 'VirusTotal has no record of 44d88612fea8a8f36de82e1278abb02e',
        },
      });
    });

    it('takes 429 QuotaExceededError as rate-limited for a minute', async () => {
      server.script('/api/v3/domains/', [
        { status: 429, body: providerFixture('virustotal-quota-exceeded.json') },
      ]);
      const domain = canonicalIndicator('domain', 'evil.example.com') as Indicator;
      expect(await virusTotalClient(options()).lookup(domain, key)).toEqual({
        kind: 'unavailable',
        reason: 'HTTP 429 from VirusTotal (QuotaExceededError: Quota exceeded)',
        retryNotBefore: NOW + 60_000,
        rateLimited: true,
      });
    });

    it('gives up at the deadline when the provider does not answer', async () => {
      server.script('/api/v3/ip_addresses/', [
        { status: 200, body: providerFixture('virustotal-ip-address.json'), delayMs: 2_000 },
      ]);
      const started = Date.now();
      expect(await virusTotalClient(options()).lookup(ip, key)).toEqual({
        kind: 'unavailable',
        reason: 'VirusTotal timed out after 300 ms',
        retryNotBefore: null,
        rateLimited: false,
      });
      expect(Date.now() - started).toBeLessThan(1_500);
    });
  });

  describe('AbuseIPDB v2 check', () => {
    it('reads the documented check answer, sending Key and maxAgeInDays=90', async () => {
      server.script('/api/v2/check', [
        { status: 200, body: providerFixture('abuseipdb-check.json') },
      ]);
      expect(await abuseIpdbClient(options()).lookup(ip, key)).toEqual({
        kind: 'found',
        finding: {
          verdict: 'malicious',
          score: 100,
          evidence: 'AbuseIPDB confidence 100 for 118.25.6.39, 1 report from 1 user',
        },
      });
      expect(server.requests[0]?.path).toBe('/api/v2/check?ipAddress=118.25.6.39&maxAgeInDays=90');
      expect(server.requests[0]?.headers['key']).toBe('vt-secret-0123456789');
      expect(server.requests[0]?.headers['accept']).toBe('application/json');
    });

    it('honours Retry-After on 429 with the documented rate-limit headers', async () => {
      server.script('/api/v2/check', [
        {
          status: 429,
          body: providerFixture('abuseipdb-rate-limited.json'),
          headers: {
            'retry-after': '29',
            'x-ratelimit-limit': '1000',
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset': String(NOW / 1000 + 3600),
          },
        },
      ]);
      expect(await abuseIpdbClient(options()).lookup(ip, key)).toEqual({
        kind: 'unavailable',
        reason:
          'HTTP 429 from AbuseIPDB (Daily rate limit of 1000 requests exceeded for this endpoint. See headers for additional details.)',
        retryNotBefore: NOW + 29_000,
        rateLimited: true,
      });
    });

    it('falls back to X-RateLimit-Reset when a 429 has no Retry-After', async () => {
      const reset = NOW / 1000 + 3600;
      server.script('/api/v2/check', [
        {
          status: 429,
          body: providerFixture('abuseipdb-rate-limited.json'),
          headers: { 'x-ratelimit-reset': String(reset) },
        },
      ]);
      expect(await abuseIpdbClient(options()).lookup(ip, key)).toMatchObject({
        retryNotBefore: reset * 1000,
        rateLimited: true,
      });
    });

    it('reports a refused connection as unavailable', async () => {
      const closed = server.baseUrl;
      await server.close();
      server = await startProviderServer();
      const outcome = await abuseIpdbClient({ ...options(), baseUrl: closed }).lookup(ip, key);
      expect(outcome).toMatchObject({
        kind: 'unavailable',
        reason: 'AbuseIPDB request failed: ECONNREFUSED',
        rateLimited: false,
      });
    });
  });

  it('never prints an API key', () => {
    expect(JSON.stringify({ key })).toBe('{"key":"[api key env:TEST_KEY]"}');
    expect(`${key}`).toBe('[api key env:TEST_KEY]');
    expect(inspect({ key })).not.toContain('vt-secret');
  });
});
