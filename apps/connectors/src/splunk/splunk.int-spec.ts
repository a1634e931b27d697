import type { Kafka } from 'kafkajs';
import { readCommittedToEnd, waitFor } from '@soc/testing';
import { readCheckpoint } from '../checkpoint-store';
import {
  capturedLogger,
  committedAtLeast,
  crashThenRestart,
  idsAfterTwoMorePolls,
  uncommittedBeyond,
  sourceIds,
  specRunner,
  specTopics,
} from '../../test/connector-harness';
import { answerSplunkExport, SPLUNK_EXPORT_PATH } from '../../test/splunk-export';
import { json, type ReceivedRequest, type VendorServer } from '../../test/vendor-server';
import { vendorSpecLifecycle } from '../../test/vendor-spec-lifecycle';
import { SplunkSource, type SplunkSettings } from './splunk-source';

const MINUTE = 60_000;
const TOKEN = 'splunk-spec-token';

/** A notable as Splunk ES exports it (fields of the demisto notable rows, with an event_id). */
const notable = (n: number, time: number) => ({
  _time: new Date(time).toISOString(),
  event_id: `5E6DE97D-B137-47AB-8905-8C4F42998937@@notable@@${String(n).padStart(32, '0')}`,
  rule_name: 'Excessive Failed Logins',
  search_name: 'Access - Excessive Failed Logins - Rule',
  security_domain: 'access',
  urgency: 'medium',
  src: `10.0.0.${n % 250}`,
  user: `user${n}`,
});

interface SplunkState {
  rows: ReturnType<typeof notable>[];
  /** Status codes to answer before serving, one per request, with a Retry-After. */
  failures: { status: number; retryAfter?: string }[];
}

/**
 * Answers `POST /services/search/jobs/export` as Splunk documents it (answerSplunkExport); 401
 * with Splunk's `messages` body without the token.
 */
function splunkHandler(state: SplunkState) {
  return (request: ReceivedRequest, response: import('node:http').ServerResponse) => {
    if (request.url.pathname !== SPLUNK_EXPORT_PATH || request.method !== 'POST')
      return json(response, 404, { messages: [{ type: 'ERROR', text: 'Not Found' }] });
    if (request.headers.authorization !== `Bearer ${TOKEN}`)
      return json(response, 401, {
        messages: [{ type: 'WARN', text: 'call not properly authenticated' }],
      });
    const failure = state.failures.shift();
    if (failure !== undefined)
      return json(
        response,
        failure.status,
        {
          messages: [
            {
              type: 'ERROR',
              text: 'Search not executed: The maximum number of concurrent historical searches has been reached.',
            },
          ],
        },
        failure.retryAfter ? { 'retry-after': failure.retryAfter } : {},
      );
    const form = new URLSearchParams(request.body);
    if (form.get('output_mode') !== 'json')
      return json(response, 400, { messages: [{ type: 'ERROR', text: 'output_mode' }] });
    answerSplunkExport(state.rows, request, response);
  };
}

const exportRequests = (server: VendorServer) =>
  server.requests.filter((r) => r.url.pathname === SPLUNK_EXPORT_PATH);

describe('Splunk connector against a local Splunk REST API', () => {
  const state: SplunkState = { rows: [], failures: [] };
  const vendor = vendorSpecLifecycle({
    handler: () => splunkHandler(state),
    resetVendor: () => {
      state.failures = [];
    },
    ignoreStopFailures: true,
  });

  const settings = (): SplunkSettings => ({
    baseUrl: vendor.server.url,
    search: 'search `notable`',
    authorization: `Bearer ${TOKEN}`,
    cursor: { overlapMs: 5 * MINUTE, maxSeen: 10_000 },
    lagMs: 1_000,
    maxWindowMs: 60 * MINUTE,
    initialLookbackMs: 180 * MINUTE,
    timeoutMs: 5_000,
    maxResponseBytes: 1024 * 1024,
  });

  const run = async (k: Kafka, topics: Awaited<ReturnType<typeof specTopics>>) => {
    return vendor.startRunner(k, topics, new SplunkSource(settings()) as never);
  };

  it('walks a three-hour backlog window by window, then picks up a late notable once', async () => {
    const now = Date.now();
    state.rows = Array.from({ length: 30 }, (_, i) =>
      notable(i, now - 170 * MINUTE + i * 5 * MINUTE),
    );
    const topics = await specTopics(vendor.kafka, 'splunk-backlog');
    await run(vendor.kafka, topics);
    const committed = await committedAtLeast(vendor.kafka, topics.raw, 30);
    expect(new Set(sourceIds(committed)).size).toBe(30);
    // Paging: the backlog came in windows of at most an hour, each reaching back by the overlap.
    const windows = exportRequests(vendor.server).map((r) => new URLSearchParams(r.body));
    expect(windows.length).toBeGreaterThanOrEqual(3);
    for (const form of windows.slice(0, 3))
      expect(
        Number(form.get('latest_time')) - Number(form.get('earliest_time')),
      ).toBeLessThanOrEqual(65 * 60);

    // Indexed late, with a time inside the overlap: the next poll takes it, and nothing twice.
    state.rows.push(notable(99, Date.now() - 2 * MINUTE));
    const withLate = await committedAtLeast(vendor.kafka, topics.raw, 31);
    const ids = await idsAfterTwoMorePolls(
      vendor.kafka,
      topics.raw,
      () => exportRequests(vendor.server).length,
    );
    expect(ids).toHaveLength(31);
    expect(new Set(ids).size).toBe(31);
    expect(withLate.map((m) => m.key?.toString())).toEqual(Array(31).fill('tenant-a'));
    expect(
      JSON.parse(
        withLate.find((m) => sourceIds([m])[0]?.endsWith('99'))?.value?.toString() ?? '{}',
      ),
    ).toMatchObject({ rule_name: 'Excessive Failed Logins' });
  });

  it('backs off after errors, waits out a 503 Retry-After, and loses nothing', async () => {
    const now = Date.now();
    state.rows = Array.from({ length: 5 }, (_, i) =>
      notable(200 + i, now - 30 * MINUTE + i * MINUTE),
    );
    state.failures = [{ status: 500 }, { status: 503, retryAfter: '2' }];
    const topics = await specTopics(vendor.kafka, 'splunk-errors');
    await run(vendor.kafka, topics);
    const committed = await committedAtLeast(vendor.kafka, topics.raw, 5);
    expect(new Set(sourceIds(committed)).size).toBe(5);
    const [first, second, third] = exportRequests(vendor.server);
    expect(first && second && third).toBeTruthy();
    // The throttled answer's Retry-After (2 s) is waited out before the next request.
    expect((third as ReceivedRequest).at - (second as ReceivedRequest).at).toBeGreaterThanOrEqual(
      1_900,
    );
  });

  it('does not skip or repeat a notable when it crashes between poll and commit', async () => {
    const now = Date.now();
    state.rows = Array.from({ length: 12 }, (_, i) =>
      notable(300 + i, now - 170 * MINUTE + i * 14 * MINUTE),
    );
    const topics = await specTopics(vendor.kafka, 'splunk-crash');
    // The second window's transaction has sent its notables and checkpoint, and never commits;
    // the successor has the same connector id, so the same transactional id: it fences the first.
    await crashThenRestart(vendor.kafka, (k) => run(k, topics));
    await committedAtLeast(vendor.kafka, topics.raw, 12);
    const ids = await idsAfterTwoMorePolls(
      vendor.kafka,
      topics.raw,
      () => exportRequests(vendor.server).length,
    );
    expect(ids).toHaveLength(12);
    expect(new Set(ids).size).toBe(12);
    expect(await uncommittedBeyond(vendor.kafka, topics.raw, 12)).toBeGreaterThan(12);
    expect(await readCheckpoint(vendor.kafka, topics.checkpoints, 'tenant-a/conn-1')).toBeDefined();
  });

  it('stops polling when a newer instance with its connector id has taken over', async () => {
    const now = Date.now();
    state.rows = Array.from({ length: 12 }, (_, i) =>
      notable(400 + i, now - 170 * MINUTE + i * 14 * MINUTE),
    );
    const topics = await specTopics(vendor.kafka, 'splunk-fenced');
    const { logger, lines } = capturedLogger();
    const first = specRunner(vendor.kafka, topics, new SplunkSource(settings()) as never, {
      logger,
    });
    vendor.runners.push(first);
    await first.start();
    await committedAtLeast(vendor.kafka, topics.raw, 12);
    await run(vendor.kafka, topics);
    state.rows.push(notable(499, Date.now() - 2 * MINUTE));
    await first.stopped;
    expect(lines.some((line) => line.includes('another instance with this connector id'))).toBe(
      true,
    );
    await committedAtLeast(vendor.kafka, topics.raw, 13);
  });

  it('refuses to run without valid credentials, without logging them', async () => {
    const topics = await specTopics(vendor.kafka, 'splunk-auth');
    const source = new SplunkSource({ ...settings(), authorization: 'Bearer wrong-token' });
    const { logger, lines } = capturedLogger();
    const runner = specRunner(vendor.kafka, topics, source as never, { logger });
    vendor.runners.push(runner);
    await runner.start();
    await waitFor(() => exportRequests(vendor.server).length >= 2, {
      describe: 'two refused polls',
    });
    expect(await readCommittedToEnd(vendor.kafka, topics.raw)).toEqual([]);
    const failures = lines.filter((line) => line.includes('poll failed'));
    expect(failures.length).toBeGreaterThanOrEqual(1);
    expect(failures[0]).toContain('answered 401');
    expect(lines.join('\n')).not.toContain('wrong-token');
  });
});
