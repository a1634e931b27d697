import type { INestApplication } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import type { CanonicalAlert, IncidentEvent } from '@soc/contracts';
import { createSchemaRegistry, type AvroTopicCodec } from '@soc/kafka';
import { createLogger } from '@soc/observability';
import { readCorrelatorConfig, type CorrelatorConfig } from './correlator.config';
import { startCorrelatorApp } from './correlator.module';
import {
  connectIdempotentProducer,
  correlatorEnv,
  createMigratedSpecDatabase,
  decodeIncidents,
  groupingOf,
  produceAlerts,
  readTopicToEnd,
  waitForGroupCaughtUp,
  registerCodecs,
  createTopic,
  infraFromEnv,
  testKafka,
  uniqueName,
  waitFor,
  type SpecDatabase,
} from '@soc/testing';

const logger = createLogger('event-time-spec', 'warn');
const infra = infraFromEnv();
const registry = createSchemaRegistry(infra.schemaRegistryUrl);
const CATCH_UP_MS = 60_000;
const MIN = 60_000;
const IDLE_TIMEOUT_MS = 3_000;
const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);

/** An alert of `tenantId` on host ws-01 that fired `at` minutes after T0 and arrived then. */
const alertOf = (
  tenantId: string,
  alertId: string,
  at: number,
  ruleId: string,
): CanonicalAlert => ({
  tenantId,
  alertId,
  sourceSystem: 'edr-prod',
  observedAt: T0 + at * MIN,
  ingestedAt: T0 + at * MIN,
  product: 'Endpoint Sensor',
  vendor: 'Simulated',
  ruleId,
  ruleName: `Rule ${ruleId}`,
  title: `Rule ${ruleId} on ws-01`,
  description: null,
  severity: 60,
  severityLabel: 'medium',
  confidence: null,
  category: null,
  tactics: [],
  techniques: [],
  entities: [{ type: 'host', value: 'ws-01', role: null, hashAlgorithm: null }],
  threatIntel: [],
  format: 'canonical',
  original: '',
});

/** The alert fired at `firedAt` and arrives now. */
const arrivingNow = (alert: CanonicalAlert, firedAt: number): CanonicalAlert => ({
  ...alert,
  observedAt: firedAt,
  ingestedAt: Date.now(),
});

describe('correlator event time on Kafka', () => {
  let database: SpecDatabase;
  let kafka: Kafka;
  let producer: Producer;
  let app: INestApplication | undefined;

  beforeAll(async () => {
    database = await createMigratedSpecDatabase('event_time');
    kafka = testKafka();
    producer = await connectIdempotentProducer(kafka);
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  afterAll(async () => {
    await producer?.disconnect();
    await database?.drop();
  });

  // Booted as main.ts boots it: the microservice (its Kafka transport) and the HTTP side.
  const boot = (config: CorrelatorConfig): Promise<INestApplication> =>
    startCorrelatorApp({ config, logger, host: '127.0.0.1' });

  it("keeps tenant A's grouping when tenant B on the same partition sends a 2099 alert, across a restart", async () => {
    const name = uniqueName('event-time');
    const config = readCorrelatorConfig(correlatorEnv(infra, database.url, name, 1));
    for (const topic of Object.values(config.topics)) await createTopic(topic, 1, { kafka });
    const { alertCodec, incidentCodec } = await registerCodecs(registry, config.topics);
    const send = async (alerts: readonly CanonicalAlert[]) => {
      await produceAlerts(producer, config.topics.alerts, alertCodec, alerts, 1);
      await waitForGroupCaughtUp(kafka, config.groupId, config.topics.alerts, CATCH_UP_MS);
    };
    const broken = { ...alertOf('tenant-b', 'b-2099', 1, 'B-1'), observedAt: Date.UTC(2099, 0, 1) };

    app = await boot(config);
    await send([alertOf('tenant-a', 'a-1', 0, 'A-1')]);
    await send([broken]);
    await send([alertOf('tenant-a', 'a-2', 5, 'A-2')]);
    await app.close();
    app = await boot(config);
    await send([alertOf('tenant-a', 'a-3', 10, 'A-3')]);

    const events = (
      await decodeIncidents(await readTopicToEnd(kafka, config.topics.incidents), incidentCodec)
    ).map(({ event }) => event);
    const tenantA = events.filter((event) => event.tenantId === 'tenant-a');
    const grouping = groupingOf(tenantA).incidents.map((line) => line.split(': ')[1]);
    expect(grouping).toEqual(['a-1 a-2 a-3']);
    expect(tenantA.filter((event) => event.type === 'LateAlertHandled')).toEqual([]);
    expect(tenantA.filter((event) => event.type === 'IncidentClosed')).toEqual([]);
    const opened = events.find(
      (event) => event.type === 'IncidentOpened' && event.tenantId === 'tenant-b',
    );
    expect(opened?.type === 'IncidentOpened' && opened.data.firstAlert).toMatchObject({
      observedAt: broken.ingestedAt,
      originalObservedAt: broken.observedAt,
    });
  });

  const incidentsOf = async (
    config: CorrelatorConfig,
    codec: AvroTopicCodec<IncidentEvent>,
  ): Promise<IncidentEvent[]> =>
    (await decodeIncidents(await readTopicToEnd(kafka, config.topics.incidents), codec)).map(
      ({ event }) => event,
    );

  it('closes the incident of a quiet partition by a wall-clock tick after the idle timeout, and decides the same after a restart', async () => {
    const name = uniqueName('idle-tick');
    const config = readCorrelatorConfig({
      ...correlatorEnv(infra, database.url, name, 1),
      ALERT_IDLE_TIMEOUT: `${IDLE_TIMEOUT_MS}ms`,
      CORRELATOR_IDLE_TICK_INTERVAL: '500ms',
    });
    for (const topic of Object.values(config.topics)) await createTopic(topic, 1, { kafka });
    const { alertCodec, incidentCodec } = await registerCodecs(registry, config.topics);
    const send = async (alerts: readonly CanonicalAlert[]) => {
      await produceAlerts(producer, config.topics.alerts, alertCodec, alerts, 1);
      await waitForGroupCaughtUp(kafka, config.groupId, config.topics.alerts, CATCH_UP_MS);
    };
    const closedOf = (events: readonly IncidentEvent[]) =>
      events.filter((event) => event.type === 'IncidentClosed');
    // Fired 20 minutes before it arrived: its 15-minute window has passed in event time, but
    // no newer alert moves the watermark, so only the idle tick can close it.
    const firedAt = Date.now() - 20 * MIN;
    const first = arrivingNow(alertOf('quiet', 'a-1', 0, 'A-1'), firedAt);

    app = await boot(config);
    await send([first]);
    const [closed] = await waitFor(
      async () => {
        const found = closedOf(await incidentsOf(config, incidentCodec));
        return found.length > 0 && found;
      },
      { timeoutMs: CATCH_UP_MS, describe: 'the idle tick closing the quiet incident' },
    );
    expect(closed?.type === 'IncidentClosed' && closed.data.reason).toBe('window-expired');
    expect(closed?.causationId).toMatch(/^tick:/);
    // The tick's watermark is its wall-clock time minus the idle timeout: at least that long
    // after the alert arrived.
    expect(closed?.occurredAt).toBeGreaterThanOrEqual(first.ingestedAt);

    await app.close();
    app = await boot(config);
    // A straggler of the same incident: the recovered state knows the incident closed at the
    // tick's watermark, so it reopens it and says how far behind that watermark it is.
    await send([arrivingNow(alertOf('quiet', 'a-2', 0, 'A-2'), firedAt + MIN)]);
    const events = await waitFor(
      async () => {
        const found = await incidentsOf(config, incidentCodec);
        return closedOf(found).length === 2 && found;
      },
      { timeoutMs: CATCH_UP_MS, describe: 'the idle tick closing the reopened incident' },
    );
    expect(groupingOf(events).incidents.map((line) => line.split(': ')[1])).toEqual(['a-1 a-2']);
    const late = events.find((event) => event.type === 'LateAlertHandled');
    expect(late?.type === 'LateAlertHandled' && late.data).toMatchObject({
      outcome: 'reopened-closed-incident',
      watermark: closed?.occurredAt,
    });
    expect(events.map((event) => event.type)).toContain('IncidentReopened');
  });

  it('closes an incident a restart recovered open on a partition that receives nothing after it', async () => {
    const name = uniqueName('idle-restart');
    const env = { ...correlatorEnv(infra, database.url, name, 1), ALERT_IDLE_TIMEOUT: '3s' };
    // The first run ticks too rarely to close anything before it stops.
    const rarely = readCorrelatorConfig({ ...env, CORRELATOR_IDLE_TICK_INTERVAL: '1h' });
    const config = readCorrelatorConfig({ ...env, CORRELATOR_IDLE_TICK_INTERVAL: '500ms' });
    for (const topic of Object.values(config.topics)) await createTopic(topic, 1, { kafka });
    const { alertCodec, incidentCodec } = await registerCodecs(registry, config.topics);
    const alert = arrivingNow(alertOf('restarted', 'r-1', 0, 'R-1'), Date.now() - 20 * MIN);

    app = await boot(rarely);
    await produceAlerts(producer, config.topics.alerts, alertCodec, [alert], 1);
    await waitForGroupCaughtUp(kafka, config.groupId, config.topics.alerts, CATCH_UP_MS);
    await app.close();
    const before = await incidentsOf(config, incidentCodec);
    expect(before.map((event) => event.type)).toContain('IncidentOpened');
    expect(before.map((event) => event.type)).not.toContain('IncidentClosed');

    // No alert after the restart: only the recovered partition's own idle tick can close it.
    app = await boot(config);
    const closed = await waitFor(
      async () =>
        (await incidentsOf(config, incidentCodec)).find((event) => event.type === 'IncidentClosed'),
      { timeoutMs: CATCH_UP_MS, describe: 'the idle tick of the recovered partition' },
    );
    expect(closed.type === 'IncidentClosed' && closed.data.reason).toBe('window-expired');
    expect(closed.causationId).toMatch(/^tick:/);
  });
});
