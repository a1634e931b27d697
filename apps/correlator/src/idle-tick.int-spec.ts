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
  createTopic,
  decodeIncidents,
  groupingOf,
  infraFromEnv,
  produceAlerts,
  readTopicToEnd,
  registerCodecs,
  testKafka,
  uniqueName,
  waitFor,
  waitForGroupCaughtUp,
  type SpecDatabase,
} from '@soc/testing';

const logger = createLogger('idle-tick-spec', 'warn');
const infra = infraFromEnv();
const registry = createSchemaRegistry(infra.schemaRegistryUrl);
const CATCH_UP_MS = 60_000;
const MIN = 60_000;
const IDLE_TIMEOUT_MS = 3_000;

/** An alert on host ws-01 that fired at `firedAt` and arrives now. */
function alertOf(alertId: string, firedAt: number): CanonicalAlert {
  return {
    tenantId: 'quiet-tenant',
    alertId,
    sourceSystem: 'edr-prod',
    observedAt: firedAt,
    ingestedAt: Date.now(),
    product: 'Endpoint Sensor',
    vendor: 'Simulated',
    ruleId: alertId,
    ruleName: `Rule ${alertId}`,
    title: `Rule ${alertId} on ws-01`,
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
  };
}

describe('correlator idle ticks on Kafka: a partition that goes quiet', () => {
  let database: SpecDatabase;
  let kafka: Kafka;
  let producer: Producer;
  let app: INestApplication | undefined;

  beforeAll(async () => {
    database = await createMigratedSpecDatabase('idle_tick');
    kafka = testKafka();
    producer = await connectIdempotentProducer(kafka);
  });

  afterAll(async () => {
    await app?.close();
    await producer?.disconnect();
    await database?.drop();
  });

  const boot = (config: CorrelatorConfig): Promise<INestApplication> =>
    startCorrelatorApp({ config, logger, host: '127.0.0.1' });

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
    const first = alertOf('a-1', firedAt);

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
    await send([alertOf('a-2', firedAt + MIN)]);
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
});
