import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import type { Kafka } from 'kafkajs';
import { normalizeRecord } from '@soc/domain';
import { waitFor } from '@soc/testing';
import {
  committedAtLeast,
  crashThenRestart,
  idsAfterTwoMorePolls,
  uncommittedBeyond,
  sourceIds,
  specTopics,
  type SpecTopics,
} from '../../test/connector-harness';
import { json, type ReceivedRequest, type VendorServer } from '../../test/vendor-server';
import { vendorSpecLifecycle } from '../../test/vendor-spec-lifecycle';
import { ElasticSource, type ElasticSettings } from './elastic-source';

const API_KEY = 'VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==';
const INDEX = '.alerts-security.alerts-*';

/** Kibana's own 8.1 detection alert document (the golden fixture), as the template. */
const TEMPLATE = JSON.parse(
  readFileSync(
    join(
      __dirname,
      '../../../../libs/domain/src/normalization/fixtures/elastic/kibana-es-archive-8.1.0-threat-match.json',
    ),
    'utf8',
  ),
) as Record<string, unknown>;

const alertDoc = (n: number, time: number) => ({
  _index: '.internal.alerts-security.alerts-default-000001',
  _id: `alert-${String(n).padStart(4, '0')}`,
  _source: {
    ...TEMPLATE,
    '@timestamp': new Date(time).toISOString(),
    'kibana.alert.uuid': `alert-${n}`,
  },
});

interface ElasticState {
  docs: ReturnType<typeof alertDoc>[];
  failures: number[];
  pits: Set<string>;
}

/**
 * Answers as the Elasticsearch docs describe: `POST /<index>/_pit?keep_alive=` gives `{id}`;
 * `POST /_search` with a `pit` sorts by `@timestamp` with `_shard_doc` as the implicit
 * tiebreaker (so each hit's `sort` is `[epoch ms, shard doc]`) and pages with `search_after`;
 * `DELETE /_pit` frees it. Without the API key: 401 `security_exception`.
 */
function elasticHandler(state: ElasticState) {
  let pitCount = 0;
  return (request: ReceivedRequest, response: ServerResponse) => {
    if (request.headers.authorization !== `ApiKey ${API_KEY}`)
      return json(response, 401, {
        error: { type: 'security_exception', reason: 'missing authentication credentials' },
        status: 401,
      });
    if (
      request.method === 'POST' &&
      request.url.pathname === `/${encodeURIComponent(INDEX)}/_pit`
    ) {
      const id = `46ToAwMDaWR5BXV1aWQyKwZub2RlXzMAAAAAAAAAACoBYwADaWR4BXV1aWQxAgZub2RlXzEAAAAAAAAAAAEBYQADaWR5-${(pitCount += 1)}`;
      state.pits.add(id);
      return json(response, 200, { id });
    }
    if (request.method === 'DELETE' && request.url.pathname === '/_pit') {
      const { id } = JSON.parse(request.body) as { id: string };
      return json(response, 200, { succeeded: state.pits.delete(id), num_freed: 1 });
    }
    if (request.method !== 'POST' || request.url.pathname !== '/_search')
      return json(response, 404, {});
    const failure = state.failures.shift();
    if (failure !== undefined)
      return json(response, failure, {
        error: {
          type: 'es_rejected_execution_exception',
          reason: 'rejected execution of coordinating operation',
        },
        status: failure,
      });
    const body = JSON.parse(request.body) as {
      size: number;
      pit: { id: string };
      query: { range: { '@timestamp': { gte: string } } };
      search_after?: [number, number];
    };
    if (!state.pits.has(body.pit.id))
      return json(response, 404, {
        error: { type: 'search_context_missing_exception' },
        status: 404,
      });
    const from = Date.parse(body.query.range['@timestamp'].gte);
    const sorted = state.docs
      .map((doc, shardDoc) => ({
        doc,
        sort: [Date.parse(doc._source['@timestamp']), shardDoc] as [number, number],
      }))
      .filter(({ sort }) => sort[0] >= from)
      .sort((a, b) => a.sort[0] - b.sort[0] || a.sort[1] - b.sort[1]);
    const after = body.search_after;
    const page = sorted
      .filter(
        ({ sort }) =>
          after === undefined || sort[0] > after[0] || (sort[0] === after[0] && sort[1] > after[1]),
      )
      .slice(0, body.size);
    return json(response, 200, {
      pit_id: body.pit.id,
      took: 3,
      timed_out: false,
      _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
      hits: {
        total: { value: page.length, relation: 'eq' },
        max_score: null,
        hits: page.map(({ doc, sort }) => ({ ...doc, _score: null, sort })),
      },
    });
  };
}

const searches = (server: VendorServer) =>
  server.requests.filter((r) => r.url.pathname === '/_search');

describe('Elastic Security connector against a local Elasticsearch', () => {
  const state: ElasticState = { docs: [], failures: [], pits: new Set() };
  const vendor = vendorSpecLifecycle({
    handler: () => elasticHandler(state),
    resetVendor: () => {
      state.failures = [];
    },
  });

  const settings = (): ElasticSettings => ({
    baseUrl: vendor.server.url,
    index: INDEX,
    authorization: `ApiKey ${API_KEY}`,
    pageSize: 10,
    keepAlive: '1m',
    cursor: { overlapMs: 300_000, maxSeen: 10_000 },
    initialLookbackMs: 3_600_000,
    timeoutMs: 5_000,
    maxResponseBytes: 4 * 1024 * 1024,
  });

  const run = async (k: Kafka, topics: SpecTopics) => {
    return vendor.startRunner(k, topics, new ElasticSource(settings()) as never);
  };

  it('pages with search_after in a point in time, closes it, and adds only new alerts later', async () => {
    const now = Date.now();
    state.docs = Array.from({ length: 25 }, (_, i) => alertDoc(i, now - 50 * 60_000 + i * 60_000));
    const topics = await specTopics(vendor.kafka, 'elastic-paging');
    await run(vendor.kafka, topics);
    const committed = await committedAtLeast(vendor.kafka, topics.raw, 25);
    expect(new Set(sourceIds(committed)).size).toBe(25);
    const bodies = searches(vendor.server)
      .slice(0, 3)
      .map((r) => JSON.parse(r.body) as { search_after?: unknown });
    expect(bodies[0]?.search_after).toBeUndefined();
    expect(bodies[1]?.search_after).toEqual([now - 50 * 60_000 + 9 * 60_000, 9]);
    await waitFor(
      () => state.pits.size === 0 && vendor.server.requests.some((r) => r.method === 'DELETE'),
      { describe: 'the PIT closed' },
    );

    // What the connector produced is what ingest's elastic normalizer reads.
    const first = normalizeRecord(committed[0]?.value?.toString() ?? '', {
      tenantId: 't',
      ingestedAt: now,
      format: 'elastic',
    });
    expect(first.ok && first.alert.ruleName).toBe('threat-match-rule');

    state.docs.push(alertDoc(100, Date.now() - 60_000));
    await committedAtLeast(vendor.kafka, topics.raw, 26);
    const after = await idsAfterTwoMorePolls(
      vendor.kafka,
      topics.raw,
      () => searches(vendor.server).length,
    );
    expect(after).toHaveLength(26);
    expect(new Set(after).size).toBe(26);
  });

  it('backs off when Elasticsearch rejects the search (429, 503) and still delivers every alert once', async () => {
    state.docs = Array.from({ length: 12 }, (_, i) =>
      alertDoc(200 + i, Date.now() - 20 * 60_000 + i * 60_000),
    );
    state.failures = [429, 503];
    const topics = await specTopics(vendor.kafka, 'elastic-errors');
    await run(vendor.kafka, topics);
    const committed = await committedAtLeast(vendor.kafka, topics.raw, 12);
    expect(new Set(sourceIds(committed)).size).toBe(12);
    expect(searches(vendor.server).length).toBeGreaterThanOrEqual(4);
  });

  it('does not skip or repeat an alert when it crashes between a page and its commit', async () => {
    state.docs = Array.from({ length: 35 }, (_, i) =>
      alertDoc(300 + i, Date.now() - 40 * 60_000 + i * 60_000),
    );
    const topics = await specTopics(vendor.kafka, 'elastic-crash');
    await crashThenRestart(vendor.kafka, (k) => run(k, topics));
    await committedAtLeast(vendor.kafka, topics.raw, 35);
    const ids = await idsAfterTwoMorePolls(
      vendor.kafka,
      topics.raw,
      () => searches(vendor.server).length,
    );
    expect(ids).toHaveLength(35);
    expect(new Set(ids).size).toBe(35);
    expect(await uncommittedBeyond(vendor.kafka, topics.raw, 35)).toBeGreaterThan(35);
  });
});
