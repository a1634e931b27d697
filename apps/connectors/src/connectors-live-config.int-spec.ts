// Connector settings changed through the admin API reach the running connectors app through
// soc.tenant-config.v1: the query API and the connectors app run as processes, Splunk is a
// local server answering as its export endpoint documents. A tenant's connector starts
// without a restart, a change restarts it at its checkpoint, and removing it stops it.
import type { Kafka } from 'kafkajs';
import { newApiKeyMaterial } from '@soc/persistence';
import {
  createMigratedSpecDatabase,
  infraFromEnv,
  readCommittedToEnd,
  stackEnv,
  testKafka,
  uniqueName,
  waitFor,
  type SpecDatabase,
} from '@soc/testing';
import { startApp, type AppProcess } from '../../../test/support/app-process';
import { sourceIds } from '../test/connector-harness';
import { answerSplunkExport, SPLUNK_EXPORT_PATH } from '../test/splunk-export';
import { json, startVendorServer, type VendorServer } from '../test/vendor-server';

const MINUTE = 60_000;
const PARTITIONS = 2;
const TOKEN = 'live-spec-token';
const NOTABLE = 'search `notable`';
const NOTABLE_REVISED = 'search `notable` | where urgency!="low"';
const PROBE = 'search `probe`';

describe('connector settings through the tenant-config API, applied live', () => {
  const name = uniqueName('connectors-live');
  const infra = infraFromEnv();
  const platformKey = newApiKeyMaterial().apiKey;
  const now = Date.now();
  const rows = Array.from({ length: 12 }, (_, i) => ({
    _time: new Date(now - 170 * MINUTE + i * 13 * MINUTE).toISOString(),
    event_id: `notable-${i}`,
    rule_name: 'Brute Force Access Behavior Detected',
    urgency: 'high',
  }));
  let kafka: Kafka;
  let database: SpecDatabase;
  let server: VendorServer;
  let api: AppProcess;
  let connectors: AppProcess;
  let adminKey = '';

  const searchOf = (body: string): string | null => new URLSearchParams(body).get('search');
  const exports = (search: string) =>
    server.requests.filter(
      (r) => r.url.pathname === SPLUNK_EXPORT_PATH && searchOf(r.body) === search,
    );
  const windowStart = (body: string): number =>
    Number(new URLSearchParams(body).get('earliest_time'));

  const call = async (method: string, path: string, key: string, body?: unknown) => {
    const response = await fetch(`${api.url}/api/v1${path}`, {
      method,
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const splunk = (id: string, search: string) => ({
    id,
    type: 'splunk',
    baseUrl: server.url,
    search,
    token: { env: 'LIVE_SPEC_SPLUNK_TOKEN' },
    interval: '200ms',
    lag: '1s',
    initialLookback: '3h',
  });
  const putConnectors = async (version: number, list: unknown[]) => {
    const saved = await call('PUT', '/admin/tenant-config', adminKey, {
      version,
      reason: `connectors, version ${version + 1}`,
      config: { connectors: list },
    });
    expect(saved).toMatchObject({ status: 200, body: { version: version + 1 } });
  };
  const logged = (message: string, connector: string) =>
    connectors.logs().filter((l) => l['msg'] === message && l['connector'] === connector);

  beforeAll(async () => {
    kafka = testKafka();
    database = await createMigratedSpecDatabase('connectors_live');
    server = await startVendorServer((request, response) => {
      if (request.url.pathname !== SPLUNK_EXPORT_PATH) return json(response, 404, {});
      answerSplunkExport(searchOf(request.body) === PROBE ? [] : rows, request, response);
    });
    const common = stackEnv({ infra, databaseUrl: database.url, partitions: PARTITIONS });
    const tenantConfigTopic = `${name}.tenant-config`;
    api = await startApp({
      name: 'query-api',
      env: {
        ...common,
        FEEDBACK_TOPIC: `${name}.feedback`,
        TENANT_CONFIG_TOPIC: tenantConfigTopic,
        BOOTSTRAP_ADMIN_KEY: platformKey,
      },
      portVariable: 'QUERY_API_HTTP_PORT',
    });
    const created = await call('POST', '/admin/tenants', platformKey, {
      tenant_id: 'acme',
      name: 'acme',
    });
    adminKey = (created.body['adminKey'] as { apiKey: string }).apiKey;
    // No connectors file: every connector of this app comes from the tenant's configuration.
    connectors = await startApp({
      name: 'connectors',
      env: {
        ...common,
        TENANT_CONFIG_TOPIC: tenantConfigTopic,
        CONNECTORS_RAW_TOPIC_PREFIX: `${name}.raw.`,
        CONNECTORS_CHECKPOINT_TOPIC: `${name}.checkpoints`,
        CONNECTORS_TRANSACTIONAL_ID_PREFIX: name,
        CONNECTORS_BACKOFF_INITIAL: '100ms',
        LIVE_SPEC_SPLUNK_TOKEN: TOKEN,
        LOG_LEVEL: 'info',
      },
      portVariable: 'CONNECTORS_HTTP_PORT',
    });
  }, 300_000);

  afterAll(async () => {
    await connectors?.stop();
    await api?.stop();
    await server?.close();
    await database?.drop();
  });

  it('starts a configured connector, restarts a changed one at its checkpoint and stops a removed one', async () => {
    const raw = `${name}.raw.splunk`;
    expect(server.requests).toHaveLength(0);

    await putConnectors(0, [splunk('siem', NOTABLE)]);
    const first = await waitFor(() => exports(NOTABLE)[0], {
      timeoutMs: 60_000,
      describe: "the tenant's Splunk connector polling",
    });
    expect(first.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const pulled = await waitFor(
      async () => {
        const found = await readCommittedToEnd(kafka, raw);
        return found.length >= rows.length && found;
      },
      { timeoutMs: 60_000, describe: 'every notable on the raw topic' },
    );
    expect(pulled.map((m) => m.headers?.['x-tenant-id']?.toString())).toEqual(
      rows.map(() => 'acme'),
    );

    // A changed search: the connector restarts under the same key and resumes at its
    // checkpoint, not three hours back, so nothing is pulled twice.
    await putConnectors(1, [splunk('siem', NOTABLE_REVISED)]);
    const revised = await waitFor(() => exports(NOTABLE_REVISED)[0], {
      timeoutMs: 60_000,
      describe: 'the revised connector polling',
    });
    expect(windowStart(revised.body)).toBeGreaterThan(windowStart(first.body) + 60 * 60);
    expect(logged('connector started', 'acme/siem').map((l) => l['resumed'])).toEqual([
      false,
      true,
    ]);

    // Removed: the connector stops; the probe starts only after it has (one set at a time),
    // so every poll of the removed connector precedes the probe's first.
    await putConnectors(2, [splunk('probe', PROBE)]);
    await waitFor(() => exports(PROBE).length >= 3, {
      timeoutMs: 60_000,
      describe: 'three polls of the probe connector',
    });
    const probeStart = exports(PROBE)[0]!.at;
    expect(exports(NOTABLE_REVISED).every((r) => r.at <= probeStart)).toBe(true);
    expect(logged('connector stopped', 'acme/siem')).toHaveLength(2);
    const ids = sourceIds(await readCommittedToEnd(kafka, raw));
    expect(ids.sort()).toEqual(rows.map((r) => r.event_id).sort());
    expect(connectors.output()).not.toContain(TOKEN);
  }, 300_000);
});
