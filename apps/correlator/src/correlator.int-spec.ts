import type { AddressInfo } from 'node:net';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Kafka, Producer } from 'kafkajs';
import {
  DEAD_LETTER_HEADERS,
  type CanonicalAlert,
  type IncidentEvent,
  type IntelEvent,
  type TenantConfigEvent,
} from '@soc/contracts';
import { generateLabeledAlerts } from '@soc/domain';
import {
  AvroTopicCodec,
  createSchemaRegistry,
  intelAvroMapping,
  tenantConfigAvroMapping,
  readSchemaFile,
  TransactionalKafkaTransport,
} from '@soc/kafka';
import { AppMetrics, createLogger } from '@soc/observability';
import {
  alertsByPartition,
  connectIdempotentProducer,
  correlatorEnv,
  createMigratedSpecDatabase,
  createTopic,
  decodeIncidents,
  envelopeProblems,
  expectedEvents,
  groupingOf,
  groupLag,
  infraFromEnv,
  partitionOfKey,
  produceAlerts,
  readTopicToEnd,
  tenantsCoveringPartitions,
  testKafka,
  uniqueName,
  waitFor,
  waitForGroupCaughtUp,
  registerCodecs,
  type DecodedIncident,
  type SpecDatabase,
} from '@soc/testing';
import { readCorrelatorConfig, type CorrelatorConfig } from './correlator.config';
import { correlatorController, MICRO_BATCHING } from './correlator.controller';
import { createFeedbackDecoder } from './feedback-decoder';
import { CorrelatorPipeline } from './correlator-pipeline';
import { startCorrelatorApp } from './correlator.module';

const logger = createLogger('correlator-spec', 'warn');
const infra = infraFromEnv();
const registry = createSchemaRegistry(infra.schemaRegistryUrl);
const CATCH_UP_MS = 60_000;

interface RunningCorrelator {
  readonly app: INestApplication;
  readonly config: CorrelatorConfig;
  readonly url: string;
  readonly alertCodec: AvroTopicCodec<CanonicalAlert>;
  readonly incidentCodec: AvroTopicCodec<IncidentEvent>;
}

/**
 * Alerts from generated traffic with nothing arriving beyond the allowed lateness: then which
 * alerts belong together does not depend on where the service's batches (its flushes) fall.
 */
const trafficFor = (
  tenants: readonly string[],
  alertCount: number,
  seed: string,
): CanonicalAlert[] =>
  generateLabeledAlerts({ seed, tenants, alertCount, lateFraction: 0 }).map(({ alert }) => alert);

describe('correlator on Kafka, the schema registry and Postgres', () => {
  let database: SpecDatabase;
  let kafka: Kafka;
  let producer: Producer;
  const running: RunningCorrelator[] = [];

  beforeAll(async () => {
    database = await createMigratedSpecDatabase('correlator');
    kafka = testKafka();
    producer = await connectIdempotentProducer(kafka);
  });

  afterAll(async () => {
    for (const correlator of running) await correlator.app.close();
    await producer?.disconnect();
    await database?.drop();
  });

  /** Topics and a group of the test's own, then one correlator in-process, as main.ts boots it. */
  async function startCorrelator(partitions: number): Promise<RunningCorrelator> {
    const name = uniqueName('correlator');
    const config = readCorrelatorConfig(correlatorEnv(infra, database.url, name, partitions));
    for (const topic of Object.values(config.topics))
      await createTopic(topic, partitions, { kafka });
    const { alertCodec, incidentCodec } = await registerCodecs(registry, config.topics);
    const app = await startCorrelatorApp({ config, logger, host: '127.0.0.1' });
    const { port } = app.getHttpServer().address() as AddressInfo;
    const correlator = { app, config, url: `http://127.0.0.1:${port}`, alertCodec, incidentCodec };
    running.push(correlator);
    return correlator;
  }

  async function incidentsOf(correlator: RunningCorrelator): Promise<DecodedIncident[]> {
    return decodeIncidents(
      await readTopicToEnd(kafka, correlator.config.topics.incidents),
      correlator.incidentCodec,
    );
  }

  it('groups two tenants’ alerts as the pure correlator does and keeps each tenant’s incidents on its alerts’ partition', async () => {
    const partitions = 3;
    const correlator = await startCorrelator(partitions);
    const { config } = correlator;
    const health = await fetch(`${correlator.url}/health`);
    expect(health.status).toBe(200);

    // Two tenants whose keys land on different partitions.
    const tenants = tenantsCoveringPartitions(partitions, 1).slice(0, 2);
    const alerts = trafficFor(tenants, 600, 'correlator-two-tenants');
    // Two waves: the second is correlated by state the first left behind, across a flush.
    const half = alerts.length / 2;
    await produceAlerts(
      producer,
      config.topics.alerts,
      correlator.alertCodec,
      alerts.slice(0, half),
      partitions,
      100,
    );
    await waitForGroupCaughtUp(kafka, config.groupId, config.topics.alerts, CATCH_UP_MS);
    await produceAlerts(
      producer,
      config.topics.alerts,
      correlator.alertCodec,
      alerts.slice(half),
      partitions,
      100,
    );
    await waitForGroupCaughtUp(kafka, config.groupId, config.topics.alerts, CATCH_UP_MS);

    const incidents = await incidentsOf(correlator);
    const events = incidents.map(({ event }) => event);
    expect(new Set(events.map((e) => e.tenantId))).toEqual(new Set(tenants));
    for (const { partition, key, eventTypeHeader, event } of incidents) {
      expect({ key, partitionKey: event.partitionKey, partition, eventTypeHeader }).toEqual({
        key: event.tenantId,
        partitionKey: event.tenantId,
        partition: partitionOfKey(event.tenantId, partitions),
        eventTypeHeader: event.type,
      });
    }
    expect(envelopeProblems(events)).toEqual([]);

    const actual = groupingOf(events);
    const expected = groupingOf(
      expectedEvents(alertsByPartition(alerts, partitions), config.correlation),
    );
    expect(actual.incidents).toEqual(expected.incidents);
    expect(actual.suppressed).toEqual(expected.suppressed);
    expect(actual.placements.size).toBe(alerts.length);
    expect([...actual.placements].filter(([, count]) => count !== 1)).toEqual([]);
    // The traffic correlates: some incidents hold more than one alert.
    const sizes = actual.incidents.map(
      (line) => line.slice(line.indexOf(': ') + 2).split(' ').length,
    );
    expect(Math.max(...sizes)).toBeGreaterThan(1);
  });

  it('dead-letters undecodable records with their original bytes and correlates the alerts around them', async () => {
    const partitions = 1;
    const correlator = await startCorrelator(partitions);
    const { config, alertCodec } = correlator;
    const [tenant] = tenantsCoveringPartitions(partitions, 1);
    const alerts = trafficFor([tenant as string], 200, 'correlator-poison');
    const unrelated = await AvroTopicCodec.register<{ readonly probe: number }>(
      registry,
      uniqueName('spec-unrelated'),
      {
        type: 'record',
        name: 'UnrelatedProbe',
        namespace: 'soc.spec',
        fields: [{ name: 'probe', type: 'long' }],
      },
    );
    const framed = (schemaId: number, body: Buffer): Buffer => {
      const header = Buffer.alloc(5);
      header.writeUInt8(0, 0);
      header.writeInt32BE(schemaId, 1);
      return Buffer.concat([header, body]);
    };
    const poison = [
      {
        value: Buffer.from('{"alert": "not Avro at all"}'),
        reason: /^a JSON record on a topic configured for Avro/,
      },
      {
        value: framed(0x7ffffff0, Buffer.from([2, 4, 6, 8])),
        reason: /unknown schema id 2147483632/,
      },
      {
        value: framed(unrelated.schemaId, Buffer.from([0xff, 0xff, 0xff])),
        reason: new RegExp(`schema id ${unrelated.schemaId} is not readable`),
      },
      {
        value: alertCodec.encode(alerts[0] as CanonicalAlert).subarray(0, 24),
        reason: /Avro body does not match schema/,
      },
    ];

    // Good alerts, then each poison record followed by more good alerts, all on one partition.
    const chunk = alerts.length / (poison.length + 1);
    await produceAlerts(
      producer,
      config.topics.alerts,
      alertCodec,
      alerts.slice(0, chunk),
      partitions,
    );
    const poisonOffsets: string[] = [];
    for (const [i, record] of poison.entries()) {
      const [sent] = await producer.send({
        topic: config.topics.alerts,
        acks: -1,
        messages: [
          {
            key: tenant as string,
            partition: 0,
            value: record.value,
            headers: { 'x-spec-origin': `poison-${i}` },
          },
        ],
      });
      poisonOffsets.push(sent?.baseOffset ?? '?');
      await produceAlerts(
        producer,
        config.topics.alerts,
        alertCodec,
        alerts.slice((i + 1) * chunk, (i + 2) * chunk),
        partitions,
      );
    }

    // No stall: the group commits past every poison record.
    await waitForGroupCaughtUp(kafka, config.groupId, config.topics.alerts, CATCH_UP_MS);

    const deadLetters = await readTopicToEnd(kafka, config.topics.alertsDeadLetter);
    expect(deadLetters.map((r) => r.headers[DEAD_LETTER_HEADERS.sourceOffset]?.toString())).toEqual(
      poisonOffsets,
    );
    for (const [i, record] of poison.entries()) {
      const dead = deadLetters[i];
      const header = (name: string): string | undefined => dead?.headers[name]?.toString();
      expect(dead?.value?.equals(record.value)).toBe(true);
      expect(dead?.key?.toString()).toBe(tenant);
      expect(header('x-spec-origin')).toBe(`poison-${i}`);
      expect(header(DEAD_LETTER_HEADERS.reason)).toMatch(record.reason);
      expect(header(DEAD_LETTER_HEADERS.field)).toBe('value');
      expect(header(DEAD_LETTER_HEADERS.sourceTopic)).toBe(config.topics.alerts);
      expect(header(DEAD_LETTER_HEADERS.sourcePartition)).toBe('0');
      expect(Number.isNaN(Date.parse(header(DEAD_LETTER_HEADERS.failedAt) ?? ''))).toBe(false);
    }

    const events = (await incidentsOf(correlator)).map(({ event }) => event);
    expect(envelopeProblems(events)).toEqual([]);
    const actual = groupingOf(events);
    const expected = groupingOf(
      expectedEvents(alertsByPartition(alerts, partitions), config.correlation),
    );
    expect(actual.incidents).toEqual(expected.incidents);
    expect(actual.placements.size).toBe(alerts.length);
    expect([...actual.placements].filter(([, count]) => count !== 1)).toEqual([]);

    const metrics = await (await fetch(`${correlator.url}/metrics`)).text();
    const deadLettered = /^soc_dead_lettered_total\{[^}]*reason="undecodable"[^}]*\} (\d+)$/m.exec(
      metrics,
    );
    expect(Number(deadLettered?.[1])).toBeGreaterThanOrEqual(poison.length);
  });

  it('fails its health check when correlation hits a bug, instead of living on with a dead consumer', async () => {
    const name = uniqueName('correlator-bug');
    const topics = {
      alerts: `${name}.alerts`,
      incidents: `${name}.incidents`,
      alertsDeadLetter: `${name}.alerts.dlq`,
      intel: `${name}.intel`,
      feedback: `${name}.feedback`,
      tenantConfig: `${name}.tenant-config`,
    };
    for (const topic of Object.values(topics)) await createTopic(topic, 1, { kafka });
    const { alertCodec, incidentCodec } = await registerCodecs(registry, topics);
    const intelCodec = await AvroTopicCodec.register<IntelEvent>(
      registry,
      topics.intel,
      readSchemaFile('intel'),
      intelAvroMapping,
    );
    const tenantConfigCodec = await AvroTopicCodec.register<TenantConfigEvent>(
      registry,
      topics.tenantConfig,
      readSchemaFile('tenantConfig'),
      tenantConfigAvroMapping,
    );
    const pipeline = new CorrelatorPipeline({
      kafka,
      topics,
      alertCodec,
      incidentCodec,
      intelCodec,
      feedbackDecoder: createFeedbackDecoder(registry, topics.feedback),
      tenantConfigCodec,
      newPartitionCorrelator: () => ({
        replay: () => undefined,
        correlate: () => {
          throw new TypeError('a bug in correlation');
        },
        idle: () => [],
      }),
      metrics: new AppMetrics('correlator-spec'),
      logger: createLogger('correlator-spec', 'silent'),
    });
    // The correlator's own handler on the transport, with a correlation step that has a bug.
    const transport = new TransactionalKafkaTransport({
      kafka,
      groupId: name,
      topics: [topics.alerts],
      transactionalIdPrefix: name,
      logger: createLogger('correlator-spec', 'silent'),
    });
    @Module({
      controllers: [correlatorController(topics)],
      providers: [
        { provide: CorrelatorPipeline, useValue: pipeline },
        { provide: MICRO_BATCHING, useValue: { flushMs: 10, maxRecords: 1_000 } },
      ],
    })
    class FailingCorrelatorModule {}
    const app = await NestFactory.createMicroservice(FailingCorrelatorModule, {
      strategy: transport,
      logger: false,
    });
    await app.listen();
    try {
      const [tenant] = tenantsCoveringPartitions(1, 1);
      await produceAlerts(
        producer,
        topics.alerts,
        alertCodec,
        trafficFor([tenant as string], 5, 'correlator-bug'),
        1,
      );
      const failure = await waitFor(
        () => {
          try {
            transport.assertRunning();
            return undefined;
          } catch (error) {
            return error instanceof Error ? error : new Error(String(error));
          }
        },
        { timeoutMs: 30_000, describe: 'the crashed consumer to show in the health check' },
      );
      expect(failure.message).toMatch(/a bug in correlation/);
      // Nothing was committed past the alert the bug stopped at.
      expect((await groupLag(kafka, name, topics.alerts)).get(0)?.committed).toBe(-1n);
    } finally {
      await app.close();
    }
  });
});
