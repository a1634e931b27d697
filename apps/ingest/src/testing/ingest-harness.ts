// Test support for the ingest integration specs (imported by *.int-spec.ts only): boots the
// ingest app in-process against the real stack, with a database of its own.
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import pino, { type Logger } from 'pino';
import { TOPICS, type CanonicalAlert } from '@soc/contracts';
import { AvroTopicCodec, createSchemaRegistry, ensureTopics, readSchemaFile } from '@soc/kafka';
import { ensureTenant, issueApiKey, openDataSource, type DataSource } from '@soc/persistence';
import { createSpecDatabase, infraFromEnv, uniqueName, type SpecDatabase } from '@soc/testing';
import { readIngestConfig, type IngestConfig } from '../ingest.config';
import { IngestModule } from '../ingest.module';
import type { SyslogPorts } from '../syslog/syslog.server';
import { TopicTail, type TailedRecord } from './topic-tail';

/** Partitions of the app's fixed topics when a spec is the first to create them. */
const DEFAULT_PARTITIONS = 2;

/**
 * The app's topic names are fixed and `ensureTopics` refuses a partition count other than the
 * existing one, so specs adopt whatever count soc.alerts.v1 already has.
 */
export async function alertTopicPartitions(kafka: Kafka): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(TOPICS.alerts)) return DEFAULT_PARTITIONS;
    const metadata = await admin.fetchTopicMetadata({ topics: [TOPICS.alerts] });
    return metadata.topics[0]?.partitions.length ?? DEFAULT_PARTITIONS;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Raw topics of the spec's own. The contract's `soc.raw.<format>` topics may have consumers
 * outside the spec (an ingest left running on the development stack reads them with the
 * production group), which would publish a second copy of every alert a spec expects once.
 */
export const specRawTopicPrefix = (): string => `${uniqueName('spec')}.soc.raw.`;

/** Creates the topics the app writes (as it would) and the given raw topics. */
export async function prepareTopics(
  kafka: Kafka,
  partitions: number,
  rawTopics: readonly string[] = [],
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [
      { topic: TOPICS.alerts, numPartitions: partitions },
      { topic: TOPICS.alertsDeadLetter, numPartitions: partitions },
      ...rawTopics.map((topic) => ({ topic, numPartitions: partitions })),
    ]);
  } finally {
    await admin.disconnect();
  }
}

/** Deletes a spec's own topics, so the development broker does not collect them. */
export async function deleteTopics(kafka: Kafka, topics: readonly string[]): Promise<void> {
  if (topics.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [...topics] });
  } finally {
    await admin.disconnect();
  }
}

/** A database of the spec file's own, migrated, where tenants and their API keys live. */
export interface SpecTenancy {
  readonly database: SpecDatabase;
  readonly dataSource: DataSource;
  /** A new tenant (`<prefix>-<unique>`) with an ingest key and an analyst key. */
  readonly tenant: (prefix: string) => Promise<SpecTenant>;
  readonly close: () => Promise<void>;
}

export interface SpecTenant {
  readonly tenantId: string;
  readonly ingestKey: string;
  readonly analystKey: string;
}

export async function createSpecTenancy(prefix: string): Promise<SpecTenancy> {
  const database = await createSpecDatabase(prefix);
  const dataSource = await openDataSource(
    { url: database.url, applicationName: `${prefix}-spec` },
    { migrate: true },
  );
  return {
    database,
    dataSource,
    tenant: async (tenantPrefix) => {
      const tenantId = uniqueName(tenantPrefix);
      await ensureTenant(dataSource, tenantId, tenantId);
      const ingest = await issueApiKey(dataSource, {
        tenantId,
        role: 'ingest',
        name: 'spec relay',
      });
      const analyst = await issueApiKey(dataSource, {
        tenantId,
        role: 'analyst',
        name: 'spec analyst',
      });
      return { tenantId, ingestKey: ingest.apiKey, analystKey: analyst.apiKey };
    },
    close: async () => {
      await dataSource.destroy();
      await database.drop();
    },
  };
}

/** The environment the ingest app reads for a spec: the stack, the spec database, small limits. */
export function ingestEnv(
  databaseUrl: string,
  partitions: number,
  overrides: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const infra = infraFromEnv();
  return {
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
    DATABASE_URL: databaseUrl,
    TOPIC_PARTITIONS: String(partitions),
    INGEST_HTTP_PORT: '0',
    INGEST_RAW_FORMATS: '',
    ...overrides,
  };
}

export interface RunningIngest {
  readonly app: INestApplication;
  readonly config: IngestConfig;
  readonly url: string;
  /** The syslog listeners' ports when a syslog tenant was set (ports 0 pick free ones). */
  readonly syslog: SyslogPorts | null;
  /** The app's JSON log lines so far, for failure messages. */
  readonly logs: () => string;
  readonly close: () => Promise<void>;
}

/**
 * Boots the ingest app in-process as main.ts does (no body parser: the controller reads bodies
 * itself), listening on a free port, and logs into memory instead of stdout.
 */
export async function startIngest(env: Readonly<Record<string, string>>): Promise<RunningIngest> {
  const config = readIngestConfig({ ...env });
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger: Logger = pino({ name: 'ingest', level: 'info' }, sink);
  const app = await NestFactory.create(IngestModule.forRoot(config, logger), {
    bodyParser: false,
    logger: false,
  });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    config,
    url: `http://127.0.0.1:${port}`,
    syslog: config.syslog ? syslogPorts(lines) : null,
    logs: () => lines.join('').slice(-20_000),
    close: () => app.close(),
  };
}

/** The syslog server reports the ports it bound in its 'syslog listening' log record. */
function syslogPorts(lines: readonly string[]): SyslogPorts {
  for (const line of lines) {
    const record = JSON.parse(line) as { msg?: unknown } & Partial<SyslogPorts>;
    if (
      record.msg === 'syslog listening' &&
      typeof record.tcpPort === 'number' &&
      typeof record.udpPort === 'number'
    ) {
      return { tcpPort: record.tcpPort, udpPort: record.udpPort, tlsPort: record.tlsPort ?? null };
    }
  }
  throw new Error(`the ingest app did not log its syslog ports:\n${lines.join('')}`);
}

/** A decoded alert from soc.alerts.v1 with where it was and what it carried. */
export interface ReadAlert {
  readonly alert: CanonicalAlert;
  readonly record: TailedRecord;
}

/**
 * soc.alerts.v1 from the moment the spec started, decoded through the registry. Only records
 * keyed by the asked tenant are decoded: other specs share the topic, some of them writing
 * deliberately undecodable records.
 */
export class AlertTail {
  private readonly decoded = new Map<string, CanonicalAlert>();

  private constructor(
    readonly tail: TopicTail,
    private readonly codec: AvroTopicCodec<CanonicalAlert>,
  ) {}

  static async start(kafka: Kafka): Promise<AlertTail> {
    const codec = await AvroTopicCodec.register<CanonicalAlert>(
      createSchemaRegistry(infraFromEnv().schemaRegistryUrl),
      TOPICS.alerts,
      readSchemaFile('alerts'),
    );
    return new AlertTail(await TopicTail.start(kafka, TOPICS.alerts), codec);
  }

  /** The tenant's alerts in topic order per partition (one tenant is one partition). */
  async of(tenantId: string): Promise<ReadAlert[]> {
    const alerts: ReadAlert[] = [];
    for (const record of this.tail.records()) {
      if (record.key !== tenantId) continue;
      const id = `${record.partition}:${record.offset}`;
      let alert = this.decoded.get(id);
      if (!alert) {
        alert = await this.codec.decode(record.value);
        this.decoded.set(id, alert);
      }
      alerts.push({ alert, record });
    }
    return alerts;
  }

  stop(): Promise<void> {
    return this.tail.stop();
  }
}

/** An idempotent producer with the default partitioner (the one ingest uses), connected. */
export async function connectIdempotentProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({
    idempotent: true,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return producer;
}
