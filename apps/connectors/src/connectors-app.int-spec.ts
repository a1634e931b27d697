import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { readCommittedToEnd, testKafka, uniqueName, waitFor } from '@soc/testing';
import { spawnApp, startApp, type AppProcess } from '../../../test/support/app-process';
import { sourceIds } from '../test/connector-harness';
import { answerSplunkExport, SPLUNK_EXPORT_PATH } from '../test/splunk-export';
import { json, startVendorServer, type VendorServer } from '../test/vendor-server';
import { readCheckpoint } from './checkpoint-store';

const MINUTE = 60_000;
const TOKEN = 'spec-token';

/** The connectors app of this spec: its config file, topics and the token's variable. */
function connectorsApp(serverUrl: string): {
  readonly env: Record<string, string>;
  readonly rawTopic: string;
  readonly checkpointTopic: string;
} {
  const prefix = `${uniqueName('spec-connectors')}.`;
  const file = join(mkdtempSync(join(tmpdir(), 'connectors-')), 'connectors.json');
  const connector = {
    id: 'acme-splunk',
    tenant: 'acme',
    type: 'splunk',
    baseUrl: serverUrl,
    search: 'search `notable`',
    token: { env: 'SPEC_SPLUNK_TOKEN' },
    interval: '200ms',
    lag: '1s',
    maxWindow: '1h',
    initialLookback: '3h',
  };
  writeFileSync(file, JSON.stringify({ connectors: [connector] }));
  const checkpointTopic = `${prefix}checkpoints`;
  const env = {
    CONNECTORS_CONFIG_FILE: file,
    CONNECTORS_RAW_TOPIC_PREFIX: prefix,
    CONNECTORS_CHECKPOINT_TOPIC: checkpointTopic,
    // A topic of its own: the shared one holds other specs' tenants and their connectors.
    TENANT_CONFIG_TOPIC: `${prefix}tenant-config`,
    CONNECTORS_TRANSACTIONAL_ID_PREFIX: prefix,
    CONNECTORS_BACKOFF_INITIAL: '100ms',
    TOPIC_PARTITIONS: '2',
    SPEC_SPLUNK_TOKEN: TOKEN,
    LOG_LEVEL: 'info',
  };
  return { env, rawTopic: `${prefix}splunk`, checkpointTopic };
}

const windowStart = (body: string | undefined): string | null =>
  new URLSearchParams(body).get('earliest_time');

describe('the connectors app, killed between a poll and its commit', () => {
  let kafka: Kafka;
  let server: VendorServer;
  // Set in the same turn as the spawn, before the child can send a request: the app polls
  // before its /health answers, so a handle that only exists once /health is up can miss the
  // kill and leave the spec waiting for an exit that never comes.
  let doomed: AppProcess | undefined;
  let restarted: AppProcess | undefined;
  const now = Date.now();
  const rows = Array.from({ length: 24 }, (_, i) => ({
    _time: new Date(now - 175 * MINUTE + i * 7 * MINUTE).toISOString(),
    event_id: `notable-${i}`,
    rule_name: 'Brute Force Access Behavior Detected',
    urgency: 'high',
  }));
  const exports = () => server.requests.filter((r) => r.url.pathname === SPLUNK_EXPORT_PATH);

  beforeAll(async () => {
    kafka = testKafka();
    server = await startVendorServer((request, response) => {
      if (request.url.pathname !== SPLUNK_EXPORT_PATH) return json(response, 404, {});
      answerSplunkExport(rows, request, response);
      // The second window is answered and not committed yet: the first process dies now.
      if (exports().length === 2) doomed?.signal('SIGKILL');
    });
  });

  afterAll(async () => {
    await Promise.all([doomed?.stop(), restarted?.stop()]);
    await server.close();
  });

  it('serves /health and /metrics, and after a restart has every notable exactly once', async () => {
    const { env, rawTopic: raw, checkpointTopic } = connectorsApp(server.url);
    const spawn = { name: 'connectors', env, portVariable: 'CONNECTORS_HTTP_PORT' };
    doomed = await spawnApp(spawn);
    const first = doomed;
    await waitFor(() => first.exited(), {
      timeoutMs: 90_000,
      describe: 'the first process killed at its second poll',
    });
    // The child's output only when it ended some other way: why it exited is in there.
    const exit = await first.exit;
    expect({ exit, output: exit === 'SIGKILL' ? '' : first.output() }).toEqual({
      exit: 'SIGKILL',
      output: '',
    });
    expect(first.output()).not.toContain(TOKEN);
    const checkpoint = await readCheckpoint(kafka, checkpointTopic, 'acme/acme-splunk');
    expect(checkpoint?.tenantId).toBe('acme');

    restarted = await startApp(spawn);
    const second = restarted;
    await waitFor(() => exports().length >= 3, { describe: 'the first poll after the restart' });
    // The restart resumes at the window the killed process had polled and not committed.
    expect(windowStart(exports()[2]?.body)).toBe(windowStart(exports()[1]?.body));
    expect(await (await fetch(`${second.url}/metrics`)).text()).toContain(
      'soc_connector_polls_total',
    );
    await waitFor(async () => (await readCommittedToEnd(kafka, raw)).length >= rows.length, {
      timeoutMs: 60_000,
      describe: 'every notable on the raw topic',
    });
    const polled = exports().length;
    await waitFor(() => exports().length >= polled + 2, { describe: 'two more polls' });
    const ids = sourceIds(await readCommittedToEnd(kafka, raw));
    expect(ids).toHaveLength(rows.length);
    expect(new Set(ids).size).toBe(rows.length);
    expect(second.output()).not.toContain(TOKEN);
    // Two app processes start from the TypeScript sources, each in about 17 s on a loaded
    // 2-core machine, beside the rest of the suite: more than jest's default 180 s can hold.
  }, 360_000);
});
