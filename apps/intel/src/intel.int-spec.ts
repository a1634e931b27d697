import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Partitioners, type Consumer, type Kafka, type Producer } from 'kafkajs';
import type { CanonicalAlert, IntelEvent } from '@soc/contracts';
import { generateLabeledAlerts } from '@soc/domain';
import { AvroTopicCodec, createSchemaRegistry, intelAvroMapping, readSchemaFile } from '@soc/kafka';
import { createLogger } from '@soc/observability';
import { openDataSource, type DataSource } from '@soc/persistence';
import {
  createSpecDatabase,
  infraFromEnv,
  testKafka,
  uniqueName,
  waitFor,
  type SpecDatabase,
  serviceDatabaseEnv,
} from '@soc/testing';
import {
  providerFixture,
  startProviderServer,
  type ProviderServer,
} from '../../../test/support/intel-provider-server';
import { readIntelConfig } from './intel.config';
import { IntelModule } from './intel.module';

const PARTITIONS = 3;
const FEODO_FEED = join(
  __dirname,
  '..',
  '..',
  '..',
  'libs',
  'domain',
  'src',
  'intel',
  'fixtures',
  'plain',
  'feodo-ipblocklist.csv',
);
const infra = infraFromEnv();
const registry = createSchemaRegistry(infra.schemaRegistryUrl);
const template = generateLabeledAlerts({ seed: 'intel-spec', tenants: 1, alertCount: 1 })[0]!.alert;

interface Seen {
  readonly partition: number;
  readonly key: string;
  readonly event: IntelEvent;
}

const alertWithIp = (tenantId: string, alertId: string, ip: string): CanonicalAlert => ({
  ...template,
  tenantId,
  alertId,
  entities: [{ type: 'ip', value: ip, role: 'destination', hashAlgorithm: null }],
  threatIntel: [],
});

describe('apps/intel on the real stack', () => {
  const name = uniqueName('intel');
  const topics = { alerts: `${name}.alerts`, intel: `${name}.intel` };
  let database: SpecDatabase;
  let db: DataSource;
  let server: ProviderServer;
  let app: INestApplication;
  let kafka: Kafka;
  let producer: Producer;
  let collector: Consumer;
  let alertCodec: AvroTopicCodec<CanonicalAlert>;
  const seen: Seen[] = [];
  const lastOffsets = new Map<number, bigint>();

  beforeAll(async () => {
    database = await createSpecDatabase('intel_app');
    server = await startProviderServer();
    const dir = mkdtempSync(join(tmpdir(), 'soc-intel-'));
    const settingsFile = join(dir, 'intel.json');
    writeFileSync(
      settingsFile,
      JSON.stringify({
        defaults: { providers: ['abuseipdb'], keys: { abuseipdb: 'env:SPEC_ABUSEIPDB_KEY' } },
      }),
    );
    const config = readIntelConfig({
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
      DATABASE_URL: database.url,
      ...serviceDatabaseEnv(database.url),
      TOPIC_PARTITIONS: String(PARTITIONS),
      INTEL_HTTP_PORT: '0',
      INTEL_GROUP_ID: name,
      ALERTS_TOPIC: topics.alerts,
      INTEL_TOPIC: topics.intel,
      INTEL_CONFIG_FILE: settingsFile,
      INTEL_FEEDS: `feodo=plain:${FEODO_FEED}#dst_ip,malware`,
      SPEC_ABUSEIPDB_KEY: 'spec-key-not-secret',
      ABUSEIPDB_BASE_URL: server.baseUrl,
      INTEL_PROVIDER_TIMEOUT: '300ms',
      INTEL_LOOKUP_INTERVAL: '50ms',
      INTEL_RETRY_BASE: '200ms',
    });
    app = await NestFactory.create(
      IntelModule.forRoot(config, createLogger('intel-spec', 'warn')),
      { logger: false, abortOnError: false },
    );
    await app.listen(0, '127.0.0.1');
    db = await openDataSource({ url: database.url, applicationName: 'intel-spec' });

    kafka = testKafka();
    alertCodec = await AvroTopicCodec.register<CanonicalAlert>(
      registry,
      topics.alerts,
      readSchemaFile('alerts'),
    );
    const intelCodec = await AvroTopicCodec.register<IntelEvent>(
      registry,
      topics.intel,
      readSchemaFile('intel'),
      intelAvroMapping,
    );
    producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    await producer.connect();
    collector = kafka.consumer({ groupId: uniqueName('intel-spec-reader'), maxWaitTimeInMs: 50 });
    await collector.connect();
    await collector.subscribe({ topic: topics.intel, fromBeginning: true });
    await collector.run({
      eachMessage: async ({ partition, message }) => {
        seen.push({
          partition,
          key: message.key?.toString() ?? '',
          event: await intelCodec.decode(message.value),
        });
        lastOffsets.set(partition, BigInt(message.offset));
      },
    });
  });

  afterAll(async () => {
    await collector?.disconnect();
    await producer?.disconnect();
    await app?.close();
    await db?.destroy();
    await server?.close();
    await database?.drop();
  });

  /** Sends one alert keyed by tenant; returns the partition it landed on. */
  const send = async (alert: CanonicalAlert): Promise<number> => {
    const [meta] = await producer.send({
      topic: topics.alerts,
      acks: -1,
      messages: [{ key: alert.tenantId, value: alertCodec.encode(alert) }],
    });
    return meta!.partition;
  };

  /** The service consumed every alert, answered every lookup, and the reader read every event. */
  const settled = async (): Promise<void> => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await waitFor(
        async () => {
          const [committed] = await admin.fetchOffsets({ groupId: name, topics: [topics.alerts] });
          const alertEnds = await admin.fetchTopicOffsets(topics.alerts);
          const consumed = alertEnds.every(
            (end) =>
              committed?.partitions.find((p) => p.partition === end.partition)?.offset ===
                end.high || end.high === '0',
          );
          const pending = Number(
            (await db.query('SELECT count(*) AS n FROM public.intel_pending_lookups'))[0].n,
          );
          const intelEnds = await admin.fetchTopicOffsets(topics.intel);
          const read = intelEnds.every(
            (end) =>
              end.high === '0' || (lastOffsets.get(end.partition) ?? -1n) + 1n >= BigInt(end.high),
          );
          return consumed && pending === 0 && read;
        },
        { timeoutMs: 30_000, describe: 'alerts consumed, lookups answered, intel topic read' },
      );
    } finally {
      await admin.disconnect();
    }
  };

  const eventsOf = (tenantId: string) => seen.filter((s) => s.event.tenantId === tenantId);

  it('records one IntelVerdictRecorded for an alert with a known-bad IP, keyed by tenant on the alert’s partition', async () => {
    server.script('/api/v2/check?ipAddress=118.25.6.39', [
      { status: 200, body: providerFixture('abuseipdb-check.json') },
    ]);
    const tenant = 'tenant-bad-ip';
    const partition = await send(alertWithIp(tenant, 'alert-1', '118.25.6.39'));
    await waitFor(() => eventsOf(tenant).length > 0, {
      timeoutMs: 30_000,
      describe: 'a verdict for tenant-bad-ip',
    });
    await settled();
    const events = eventsOf(tenant);
    expect(events).toHaveLength(1);
    const [only] = events;
    expect(only?.partition).toBe(partition);
    expect(only?.key).toBe(tenant);
    expect(only?.event).toMatchObject({
      type: 'IntelVerdictRecorded',
      tenantId: tenant,
      streamId: 'intel:abuseipdb:ip:118.25.6.39',
      sequence: 1,
      causationId: 'alert-1',
      data: {
        provider: 'abuseipdb',
        indicator: '118.25.6.39',
        kind: 'ip',
        verdict: 'malicious',
        score: 100,
        evidence: 'AbuseIPDB confidence 100 for 118.25.6.39, 1 report from 1 user',
        alertIds: ['alert-1'],
      },
    });
    const data = only?.event.type === 'IntelVerdictRecorded' ? only.event.data : undefined;
    expect((data?.expiresAt ?? 0) - (data?.fetchedAt ?? 0)).toBe(24 * 3_600_000);
    expect(server.requests.filter((r) => r.path.includes('118.25.6.39'))).toHaveLength(1);
    expect(JSON.stringify(seen)).not.toContain('spec-key-not-secret');
  });

  it('fails open on 429 then a timeout: later alerts are enriched meanwhile, and the verdict arrives once the provider answers', async () => {
    const slowIp = '118.25.6.50';
    server.script(`/api/v2/check?ipAddress=${slowIp}`, [
      {
        status: 429,
        body: providerFixture('abuseipdb-rate-limited.json'),
        headers: { 'retry-after': '1', 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '0' },
      },
      { status: 200, body: providerFixture('abuseipdb-check.json'), delayMs: 3_000 },
      { status: 200, body: providerFixture('abuseipdb-check.json') },
    ]);
    server.script('/api/v2/check?ipAddress=103.82.243.5', [
      { status: 200, body: providerFixture('abuseipdb-check.json') },
    ]);
    const tenant = 'tenant-flaky';
    await send(alertWithIp(tenant, 'alert-slow', slowIp));
    const deferred = await waitFor(
      () => eventsOf(tenant).find((s) => s.event.type === 'IntelLookupDeferred'),
      { timeoutMs: 30_000, describe: 'intel unavailable recorded after the 429' },
    );
    expect(deferred.event).toMatchObject({
      data: { provider: 'abuseipdb', indicator: slowIp, alertIds: ['alert-slow'] },
    });
    expect(deferred.event.type === 'IntelLookupDeferred' && deferred.event.data.reason).toMatch(
      /^HTTP 429 from AbuseIPDB/,
    );

    // While the slow lookup waits out its Retry-After and then times out, a new alert is
    // enriched from the local feed at once.
    await send(alertWithIp(tenant, 'alert-feed', '103.82.243.5'));
    const feedVerdict = await waitFor(
      () =>
        eventsOf(tenant).find(
          (s) => s.event.type === 'IntelVerdictRecorded' && s.event.data.provider === 'feed:feodo',
        ),
      { timeoutMs: 30_000, describe: 'the feed verdict for the second alert' },
    );
    const slowVerdictOf = () =>
      eventsOf(tenant).find(
        (s) => s.event.type === 'IntelVerdictRecorded' && s.event.data.indicator === slowIp,
      );
    expect(slowVerdictOf()).toBeUndefined();
    expect(feedVerdict.event).toMatchObject({
      data: {
        verdict: 'malicious',
        evidence: 'feed feodo lists 103.82.243.5: QakBot',
        alertIds: ['alert-feed'],
      },
    });

    const slowVerdict = await waitFor(slowVerdictOf, {
      timeoutMs: 30_000,
      describe: 'the verdict after the provider recovered',
    });
    await settled();
    expect(slowVerdict.event).toMatchObject({
      data: { verdict: 'malicious', score: 100, alertIds: ['alert-slow'] },
    });
    const slowEvents = eventsOf(tenant).filter(
      (s) => s.event.streamId === `intel:abuseipdb:ip:${slowIp}`,
    );
    expect(slowEvents.map((s) => [s.event.type, s.event.sequence])).toEqual([
      ['IntelLookupDeferred', 1],
      ['IntelVerdictRecorded', 2],
    ]);
    expect(server.requests.filter((r) => r.path.includes(slowIp))).toHaveLength(3);
  });
});
