import { mkdtempSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { testKafka, uniqueName, waitFor } from '@soc/testing';
import { readCheckpoint } from './checkpoint-store';
import { readCommitted, sourceIds } from './testing/connector-harness';
import { spawnConnectors, type ConnectorsProcess } from './testing/connectors-process';
import {
  json,
  startVendorServer,
  type ReceivedRequest,
  type VendorServer,
} from './testing/vendor-server';

const MINUTE = 60_000;

/** Splunk's export answer (see splunk.int-spec.ts), over the rows in the requested window. */
const exportAnswer = (
  rows: { _time: string; event_id: string }[],
  request: ReceivedRequest,
  response: ServerResponse,
) => {
  const form = new URLSearchParams(request.body);
  const from = Number(form.get('earliest_time')) * 1000;
  const to = Number(form.get('latest_time')) * 1000;
  const inWindow = rows.filter(
    (row) => Date.parse(row._time) >= from && Date.parse(row._time) < to,
  );
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(
    inWindow.map((result, offset) => JSON.stringify({ preview: false, offset, result })).join('\n'),
  );
};

describe('the connectors app, killed between a poll and its commit', () => {
  let kafka: Kafka;
  let server: VendorServer;
  let running: ConnectorsProcess | undefined;
  let killOnExport = 0;
  const now = Date.now();
  const rows = Array.from({ length: 24 }, (_, i) => ({
    _time: new Date(now - 175 * MINUTE + i * 7 * MINUTE).toISOString(),
    event_id: `notable-${i}`,
    rule_name: 'Brute Force Access Behavior Detected',
    urgency: 'high',
  }));

  beforeAll(async () => {
    kafka = testKafka();
    server = await startVendorServer((request, response) => {
      if (request.url.pathname !== '/services/search/jobs/export') return json(response, 404, {});
      exportAnswer(rows, request, response);
      const exports = server.requests.filter(
        (r) => r.url.pathname === '/services/search/jobs/export',
      );
      // The source has answered; the page is not committed yet: the process dies now.
      if (exports.length === killOnExport) running?.child.kill('SIGKILL');
    });
  });

  afterAll(async () => {
    running?.child.kill('SIGKILL');
    await server.close();
  });

  it('serves /health and /metrics, and after a restart has every notable exactly once', async () => {
    const prefix = `${uniqueName('spec-connectors')}.`;
    const dir = mkdtempSync(join(tmpdir(), 'connectors-'));
    const file = join(dir, 'connectors.json');
    writeFileSync(
      file,
      JSON.stringify({
        connectors: [
          {
            id: 'acme-splunk',
            tenant: 'acme',
            type: 'splunk',
            baseUrl: server.url,
            search: 'search `notable`',
            token: { env: 'SPEC_SPLUNK_TOKEN' },
            interval: '200ms',
            lag: '1s',
            maxWindow: '1h',
            initialLookback: '3h',
          },
        ],
      }),
    );
    const env = {
      CONNECTORS_CONFIG_FILE: file,
      CONNECTORS_RAW_TOPIC_PREFIX: prefix,
      CONNECTORS_CHECKPOINT_TOPIC: `${prefix}checkpoints`,
      CONNECTORS_TRANSACTIONAL_ID_PREFIX: prefix,
      CONNECTORS_BACKOFF_INITIAL: '100ms',
      TOPIC_PARTITIONS: '2',
      SPEC_SPLUNK_TOKEN: 'spec-token',
    };
    killOnExport = 2;
    running = await spawnConnectors(env);
    const first = running;
    await first.exited;
    expect(first.output()).not.toContain('spec-token');

    const checkpoint = await readCheckpoint(kafka, `${prefix}checkpoints`, 'acme-splunk');
    expect(checkpoint?.tenantId).toBe('acme');

    running = await spawnConnectors(env);
    // The restart resumes at the window the killed process had polled and not committed.
    const windowStarts = server.requests.map((r) =>
      new URLSearchParams(r.body).get('earliest_time'),
    );
    await waitFor(() => server.requests.length >= 3, {
      describe: 'the first poll after the restart',
    });
    expect(new URLSearchParams(server.requests[2]?.body).get('earliest_time')).toBe(
      windowStarts[1],
    );
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    expect(metrics).toContain('soc_connector_polls_total');
    const raw = `${prefix}splunk`;
    await waitFor(async () => (await readCommitted(kafka, raw)).length >= rows.length, {
      timeoutMs: 60_000,
      describe: 'every notable on the raw topic',
    });
    const polled = server.requests.length;
    await waitFor(() => server.requests.length >= polled + 2, { describe: 'two more polls' });
    const ids = sourceIds(await readCommitted(kafka, raw));
    expect(ids).toHaveLength(rows.length);
    expect(new Set(ids).size).toBe(rows.length);
    expect(running.output()).not.toContain('spec-token');
    // Two app processes start from the TypeScript sources, each in about 17 s on a loaded
    // 2-core machine, beside the rest of the suite: more than jest's default 180 s can hold.
  }, 360_000);
});
