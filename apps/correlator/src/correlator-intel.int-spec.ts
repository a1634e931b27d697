import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import type { CanonicalAlert, IncidentEvent } from '@soc/contracts';
import {
  createCorrelator,
  defaultCorrelationConfig,
  deterministicIds,
  generateLabeledAlerts,
} from '@soc/domain';
import { createSchemaRegistry, type AvroTopicCodec } from '@soc/kafka';
import {
  connectIdempotentProducer,
  correlatorEnv,
  createMigratedSpecDatabase,
  infraFromEnv,
  produceAlerts,
  startIncidentCollector,
  testKafka,
  uniqueName,
  waitFor,
  type SpecDatabase,
} from '@soc/testing';
import { startApp, type AppProcess } from '../../../test/support/app-process';
import {
  providerFixture,
  startProviderServer,
  type ProviderServer,
} from '../../../test/support/intel-provider-server';

const PARTITIONS = 2;
const infra = infraFromEnv();
const registry = createSchemaRegistry(infra.schemaRegistryUrl);
const template = generateLabeledAlerts({ seed: 'correlator-intel', tenants: 1, alertCount: 1 })[0]!
  .alert;

const alertWithIp = (
  tenantId: string,
  { alertId, ip, at, rule }: { alertId: string; ip: string; at: number; rule: string },
): CanonicalAlert => ({
  ...template,
  tenantId,
  alertId,
  ruleId: rule,
  ruleName: rule,
  observedAt: at,
  ingestedAt: at,
  entities: [{ type: 'ip', value: ip, role: 'destination', hashAlgorithm: null }],
  threatIntel: [],
});

const scoredOf = (events: readonly IncidentEvent[]) =>
  events.filter(
    (e): e is Extract<IncidentEvent, { type: 'IncidentScored' }> => e.type === 'IncidentScored',
  );
const appliedOf = (events: readonly IncidentEvent[], incidentId: string) =>
  events.filter(
    (e): e is Extract<IncidentEvent, { type: 'IntelVerdictApplied' }> =>
      e.type === 'IntelVerdictApplied' && e.data.incidentId === incidentId,
  );
const threatReason = (event: Extract<IncidentEvent, { type: 'IncidentScored' }>): string =>
  event.data.explanation.factors.find((f) => f.name === 'threat_intel')?.reason ?? '';

describe('the correlator with threat intel from apps/intel', () => {
  const name = uniqueName('corr-intel');
  const topics = {
    alerts: `${name}.alerts`,
    incidents: `${name}.incidents`,
    intel: `${name}.intel`,
  };
  let database: SpecDatabase;
  let server: ProviderServer;
  let kafka: Kafka;
  let producer: Producer;
  let collector: Consumer;
  let alertCodec: AvroTopicCodec<CanonicalAlert>;
  let correlator: AppProcess;
  let intel: AppProcess | undefined;
  const events: IncidentEvent[] = [];
  const arrivedAt = new Map<string, number>();
  const env = () => correlatorEnv(infra, database.url, name, PARTITIONS);

  beforeAll(async () => {
    database = await createMigratedSpecDatabase('correlator_intel');
    server = await startProviderServer();
    kafka = testKafka();
    producer = await connectIdempotentProducer(kafka);
    correlator = await startApp({
      name: 'correlator',
      env: env(),
      portVariable: 'CORRELATOR_HTTP_PORT',
    });
    const settings = join(mkdtempSync(join(tmpdir(), 'soc-corr-intel-')), 'intel.json');
    writeFileSync(
      settings,
      JSON.stringify({
        defaults: { providers: ['abuseipdb'], keys: { abuseipdb: 'env:SPEC_ABUSEIPDB_KEY' } },
      }),
    );
    intel = await startApp({
      name: 'intel',
      portVariable: 'INTEL_HTTP_PORT',
      env: {
        ...env(),
        INTEL_GROUP_ID: `${name}-intel`,
        INTEL_CONFIG_FILE: settings,
        SPEC_ABUSEIPDB_KEY: 'spec-key-not-secret',
        ABUSEIPDB_BASE_URL: server.baseUrl,
        INTEL_PROVIDER_TIMEOUT: '300ms',
        INTEL_LOOKUP_INTERVAL: '50ms',
        INTEL_RETRY_BASE: '200ms',
      },
    });
    ({ alertCodec, collector } = await startIncidentCollector({
      kafka,
      registry,
      topics,
      groupPrefix: 'corr-intel-reader',
      onEvent: (event) => {
        events.push(event);
        arrivedAt.set(event.eventId, Date.now());
      },
    }));
  }, 120_000);

  afterAll(async () => {
    await collector?.disconnect();
    await intel?.stop();
    await correlator?.stop();
    await producer?.disconnect();
    await server?.close();
    await database?.drop();
  });

  const send = (alert: CanonicalAlert) =>
    produceAlerts(producer, topics.alerts, alertCodec, [alert], PARTITIONS);

  const openedFor = (alertId: string) =>
    events.find((e) => e.type === 'IncidentOpened' && e.data.firstAlert.alertId === alertId) as
      Extract<IncidentEvent, { type: 'IncidentOpened' }> | undefined;

  it('correlates alerts at once while the provider answers 429 and then times out, and applies the verdict when it comes', async () => {
    const ip = '118.25.6.40';
    server.script(`/api/v2/check?ipAddress=${ip}`, [
      {
        status: 429,
        body: providerFixture('abuseipdb-rate-limited.json'),
        headers: { 'retry-after': '1' },
      },
      { status: 200, body: providerFixture('abuseipdb-check.json'), delayMs: 3_000 },
      { status: 200, body: providerFixture('abuseipdb-check.json') },
    ]);
    const sentAt = Date.now();
    await send(
      alertWithIp('tenant-fault', {
        alertId: 'fault-1',
        ip,
        at: Date.UTC(2026, 0, 5, 9),
        rule: 'R-fault',
      }),
    );
    const opened = await waitFor(() => openedFor('fault-1'), {
      timeoutMs: 30_000,
      describe: 'the incident of the alert',
    });
    // The correlator's normal latency: a fetched batch, one transaction; no provider in the way.
    expect((arrivedAt.get(opened.eventId) as number) - sentAt).toBeLessThan(5_000);
    const incidentId = opened.data.incidentId;
    const applied = await waitFor(() => appliedOf(events, incidentId)[0], {
      timeoutMs: 60_000,
      describe: 'the verdict applied after the 429 and the timeout',
    });
    const rescored = await waitFor(
      () => scoredOf(events).find((e) => e.causationId === applied.causationId),
      { timeoutMs: 10_000, describe: 'the rescore caused by the verdict' },
    );
    expect(threatReason(rescored)).toBe(
      `malicious: AbuseIPDB confidence 100 for ${ip}, 1 report from 1 user`,
    );
    expect(server.requests.filter((r) => r.path.includes(ip)).length).toBeGreaterThanOrEqual(3);
  }, 120_000);

  it('rescores an incident exactly once by a verdict that arrives after the alert, and a restart with no provider reproduces the priority', async () => {
    const ip = '118.25.6.39';
    server.script(`/api/v2/check?ipAddress=${ip}`, [
      { status: 200, body: providerFixture('abuseipdb-check.json') },
    ]);
    const at = Date.UTC(2026, 0, 6, 9);
    await send(alertWithIp('tenant-bad-ip', { alertId: 'bad-1', ip, at, rule: 'R-scan' }));
    const opened = await waitFor(() => openedFor('bad-1'), {
      timeoutMs: 30_000,
      describe: 'the incident',
    });
    const incidentId = opened.data.incidentId;
    const first = scoredOf(events).find((e) => e.data.incidentId === incidentId);
    expect(first?.causationId).toBe('bad-1');
    const applied = await waitFor(() => appliedOf(events, incidentId)[0], {
      timeoutMs: 60_000,
      describe: 'the verdict applied to the incident',
    });
    // Caused by the intel event, not the alert: the verdict came after the incident was open.
    expect(applied.causationId).not.toBe('bad-1');
    const rescored = await waitFor(
      () => scoredOf(events).find((e) => e.causationId === applied.causationId),
      { timeoutMs: 10_000, describe: 'the rescore caused by the verdict' },
    );
    expect(rescored.data.priority).toBeGreaterThan(first?.data.priority as number);
    expect(threatReason(rescored)).toBe(
      `malicious: AbuseIPDB confidence 100 for ${ip}, 1 report from 1 user`,
    );

    // No provider from here on: the intel service and the provider server are gone.
    await intel?.stop();
    intel = undefined;
    await server.close();
    await correlator.stop();
    correlator = await startApp({
      name: 'correlator',
      env: env(),
      portVariable: 'CORRELATOR_HTTP_PORT',
    });
    // An hour later, past the correlation window: the alert opens an incident of its own, and
    // the verdict the restarted correlator rebuilt from the incident log alone applies to it.
    // (An alert attached to the first incident would leave its priority unchanged, and an
    // unchanged priority is not re-announced.)
    await send(
      alertWithIp('tenant-bad-ip', { alertId: 'bad-2', ip, at: at + 3_600_000, rule: 'R-exfil' }),
    );
    const afterRestart = await waitFor(
      () =>
        scoredOf(events).find(
          (e) => e.causationId === 'bad-2' && threatReason(e) === threatReason(rescored),
        ),
      { timeoutMs: 60_000, describe: 'the score of the alert after the restart, with the verdict' },
    );
    expect(afterRestart.data.incidentId).not.toBe(incidentId);
    expect(afterRestart.data.priority).toBe(rescored.data.priority);

    // Exactly once: one applied verdict and one rescore for it, across the restart.
    expect(appliedOf(events, incidentId)).toHaveLength(1);
    expect(scoredOf(events).filter((e) => e.causationId === applied.causationId)).toHaveLength(1);

    // A replay of the log alone gives the priorities the log recorded.
    const replayed = createCorrelator(defaultCorrelationConfig(), deterministicIds());
    replayed.replay(events);
    const state = replayed.state.tenants
      .get('tenant-bad-ip')
      ?.open.get(afterRestart.data.incidentId);
    expect(state?.priority).toBe(afterRestart.data.priority);
  }, 180_000);
});
