import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { normalizeRecord } from '@soc/domain';
import { readCommittedToEnd, waitFor } from '@soc/testing';
import {
  capturedLogger,
  committedAtLeast,
  crashThenRestart,
  idsAfterTwoMorePolls,
  uncommittedBeyond,
  sourceIds,
  specRunner,
  specTopics,
  type SpecTopics,
} from '../../test/connector-harness';
import { json, type ReceivedRequest, type VendorServer } from '../../test/vendor-server';
import { vendorSpecLifecycle } from '../../test/vendor-spec-lifecycle';
import { GraphSource, type GraphSettings } from './graph-source';

const DIRECTORY = 'b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c';
const CLIENT_ID = '5b0f8c3a-1d3e-4c8b-9f8e-2a7d6c5b4a39';
const CLIENT_SECRET = 'graph-spec-client-secret';

/** Microsoft's own alerts_v2 example (the golden fixture) as the template. */
const TEMPLATE = JSON.parse(
  readFileSync(
    join(
      __dirname,
      '../../../../libs/domain/src/normalization/fixtures/ms-graph/get-alert-docs-example.json',
    ),
    'utf8',
  ),
) as Record<string, unknown>;

const graphAlert = (n: number, created: number) => ({
  ...TEMPLATE,
  id: `da6375789952870${String(n).padStart(5, '0')}_756343937`,
  createdDateTime: new Date(created).toISOString(),
});

interface GraphState {
  alerts: ReturnType<typeof graphAlert>[];
  throttles: number;
  tokensIssued: number;
}

/**
 * The Microsoft identity platform's client-credentials token endpoint and Graph's alerts_v2 list
 * as documented: `{token_type, expires_in, access_token}`; `{"@odata.context", value,
 * "@odata.nextLink"}` pages (here with `$skip`, newest first: the API promises no order);
 * 429 `TooManyRequests` with `Retry-After`; 401 `InvalidAuthenticationToken` without a token.
 */
function graphHandler(state: GraphState, origin: () => string) {
  return (request: ReceivedRequest, response: ServerResponse) => {
    if (request.method === 'POST' && request.url.pathname === `/${DIRECTORY}/oauth2/v2.0/token`) {
      const form = new URLSearchParams(request.body);
      if (
        form.get('grant_type') !== 'client_credentials' ||
        form.get('client_id') !== CLIENT_ID ||
        form.get('client_secret') !== CLIENT_SECRET
      )
        return json(response, 401, {
          error: 'invalid_client',
          error_description: 'AADSTS7000215: Invalid client secret provided.',
        });
      state.tokensIssued += 1;
      return json(response, 200, {
        token_type: 'Bearer',
        expires_in: 3599,
        ext_expires_in: 3599,
        access_token: `eyJ0eXAiOiJKV1Qi.spec.${state.tokensIssued}`,
      });
    }
    if (request.url.pathname !== '/v1.0/security/alerts_v2') return json(response, 404, {});
    if (!request.headers.authorization?.startsWith('Bearer eyJ0eXAiOiJKV1Qi.spec.'))
      return json(response, 401, {
        error: { code: 'InvalidAuthenticationToken', message: 'Access token is empty.' },
      });
    if (state.throttles > 0) {
      state.throttles -= 1;
      return json(
        response,
        429,
        { error: { code: 'TooManyRequests', message: 'Too many requests.' } },
        { 'retry-after': '2' },
      );
    }
    const filter = request.url.searchParams.get('$filter') ?? '';
    const from = Date.parse(filter.replace('createdDateTime ge ', ''));
    const top = Number(request.url.searchParams.get('$top'));
    const skip = Number(request.url.searchParams.get('$skip') ?? '0');
    const matching = state.alerts
      .filter((alert) => Date.parse(alert.createdDateTime) >= from)
      .sort((a, b) => Date.parse(b.createdDateTime) - Date.parse(a.createdDateTime));
    const page = matching.slice(skip, skip + top);
    const next = new URLSearchParams({
      $filter: filter,
      $top: String(top),
      $skip: String(skip + top),
    });
    return json(response, 200, {
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#security/alerts_v2',
      ...(skip + top < matching.length
        ? { '@odata.nextLink': `${origin()}/v1.0/security/alerts_v2?${next.toString()}` }
        : {}),
      value: page,
    });
  };
}

const listings = (server: VendorServer) =>
  server.requests.filter((r) => r.url.pathname === '/v1.0/security/alerts_v2');

describe('Microsoft Graph alerts_v2 connector against a local Graph and token endpoint', () => {
  const state: GraphState = { alerts: [], throttles: 0, tokensIssued: 0 };
  const vendor = vendorSpecLifecycle({
    handler: (serverUrl) => graphHandler(state, serverUrl),
    resetVendor: () => {
      state.throttles = 0;
    },
  });

  const settings = (): GraphSettings => ({
    tokenUrl: `${vendor.server.url}/${DIRECTORY}/oauth2/v2.0/token`,
    graphUrl: vendor.server.url,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    scope: 'https://graph.microsoft.com/.default',
    pageSize: 10,
    cursor: { overlapMs: 300_000, maxSeen: 10_000 },
    initialLookbackMs: 3_600_000,
    timeoutMs: 5_000,
    maxResponseBytes: 4 * 1024 * 1024,
  });

  const run = async (k: Kafka, topics: SpecTopics, overrides: Partial<GraphSettings> = {}) => {
    return vendor.startRunner(k, topics, new GraphSource({ ...settings(), ...overrides }) as never);
  };

  it('gets a token once, follows @odata.nextLink through unordered pages, then takes only new alerts', async () => {
    const now = Date.now();
    state.alerts = Array.from({ length: 25 }, (_, i) =>
      graphAlert(i, now - 50 * 60_000 + i * 60_000),
    );
    const topics = await specTopics(vendor.kafka, 'graph-paging');
    await run(vendor.kafka, topics);
    const committed = await committedAtLeast(vendor.kafka, topics.raw, 25);
    expect(new Set(sourceIds(committed)).size).toBe(25);
    expect(
      listings(vendor.server)
        .slice(0, 3)
        .map((r) => r.url.searchParams.get('$skip')),
    ).toEqual([null, '10', '20']);
    const parsed = normalizeRecord(committed[0]?.value?.toString() ?? '', {
      tenantId: 't',
      ingestedAt: now,
      format: 'ms-graph',
    });
    expect(parsed.ok).toBe(true);

    state.alerts.push(graphAlert(100, Date.now() - 60_000));
    await committedAtLeast(vendor.kafka, topics.raw, 26);
    const ids = await idsAfterTwoMorePolls(
      vendor.kafka,
      topics.raw,
      () => listings(vendor.server).length,
    );
    expect(ids).toHaveLength(26);
    expect(new Set(ids).size).toBe(26);
    expect(state.tokensIssued).toBe(1);
  });

  it('waits out 429 Retry-After before asking again, and loses nothing', async () => {
    state.alerts = Array.from({ length: 5 }, (_, i) =>
      graphAlert(200 + i, Date.now() - 10 * 60_000 + i * 60_000),
    );
    state.throttles = 1;
    const topics = await specTopics(vendor.kafka, 'graph-throttle');
    await run(vendor.kafka, topics);
    const committed = await committedAtLeast(vendor.kafka, topics.raw, 5);
    expect(new Set(sourceIds(committed)).size).toBe(5);
    const [throttled, retried] = listings(vendor.server);
    expect(
      (retried as ReceivedRequest).at - (throttled as ReceivedRequest).at,
    ).toBeGreaterThanOrEqual(1_900);
  });

  it('pulls nothing with a wrong client secret, and never logs it', async () => {
    const topics = await specTopics(vendor.kafka, 'graph-auth');
    const { logger, lines } = capturedLogger();
    const source = new GraphSource({ ...settings(), clientSecret: 'not-the-secret' });
    const runner = specRunner(vendor.kafka, topics, source as never, { logger });
    vendor.runners.push(runner);
    await runner.start();
    await waitFor(
      () => vendor.server.requests.filter((r) => r.url.pathname.endsWith('/token')).length >= 2,
      { describe: 'two refused token requests' },
    );
    expect(listings(vendor.server)).toEqual([]);
    expect(await readCommittedToEnd(vendor.kafka, topics.raw)).toEqual([]);
    expect(lines.some((line) => line.includes('answered 401'))).toBe(true);
    expect(lines.join('\n')).not.toContain('not-the-secret');
  });

  it('does not skip or repeat an alert when it crashes between a page and its commit', async () => {
    state.alerts = Array.from({ length: 35 }, (_, i) =>
      graphAlert(300 + i, Date.now() - 40 * 60_000 + i * 60_000),
    );
    const topics = await specTopics(vendor.kafka, 'graph-crash');
    await crashThenRestart(vendor.kafka, (k) => run(k, topics));
    await committedAtLeast(vendor.kafka, topics.raw, 35);
    const ids = await idsAfterTwoMorePolls(
      vendor.kafka,
      topics.raw,
      () => listings(vendor.server).length,
    );
    expect(ids).toHaveLength(35);
    expect(new Set(ids).size).toBe(35);
    expect(await uncommittedBeyond(vendor.kafka, topics.raw, 35)).toBeGreaterThan(35);
  });
});
