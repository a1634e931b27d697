import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type INestApplication,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { identityStepsEnabled } from '@soc/config';
import { TOPICS, type CanonicalAlert } from '@soc/contracts';
import {
  AvroTopicCodec,
  createKafka,
  createSchemaRegistry,
  ensureTopics,
  readSchemaFile,
  retryKafkaStartUp,
  TransactionalKafkaTransport,
} from '@soc/kafka';
import { AppMetrics, HealthRegistry, ObservabilityModule } from '@soc/observability';
import { createDataSource, PgApiKeyVerifier } from '@soc/persistence';
import type { DataSource } from 'typeorm';
import { AlertLogTail } from './alert-log-tail';
import { AlertPublisher } from './alert-publisher';
import { AlertsController } from './http/alerts.controller';
import { API_KEY_VERIFIER, IngestKeyGuard } from './http/tenant-auth';
import { rawTenantSource, rawTopicName, type IngestConfig } from './ingest.config';
import { IngestService } from './ingest.service';
import { admitAsCanonical } from './raw/identity-admit';
import { RawTopicIngestor } from './raw/raw-topic-ingestor';
import { rawTopicsController } from './raw/raw-topics.controller';
import { SyslogServer } from './syslog/syslog.server';
import { SenderTenants } from './syslog/syslog-tenants';

export const INGEST_CONFIG = Symbol('IngestConfig');
export const LOGGER = Symbol('Logger');
const KAFKA = Symbol('Kafka');
export const PRODUCER = Symbol('Producer');
const DATA_SOURCE = Symbol('DataSource');
const ALERT_LOG = Symbol('AlertLogTail');

/** Wires the ingest doors to Kafka and Postgres; every decision lives in the pure code. */
@Module({})
export class IngestModule {
  static forRoot(config: IngestConfig, logger: Logger): DynamicModule {
    const rawTopics = config.rawFormats.map((format) => rawTopicName(config, format));
    return {
      module: IngestModule,
      imports: [ObservabilityModule.forService('ingest')],
      controllers: [
        AlertsController,
        ...(rawTopics.length > 0 ? [rawTopicsController(rawTopics)] : []),
      ],
      providers: [
        { provide: INGEST_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        {
          provide: KAFKA,
          useFactory: () => createKafka(config.infra.kafkaBrokers, 'soc-ingest', logger),
        },
        {
          provide: PRODUCER,
          inject: [KAFKA],
          useFactory: async (kafka: Kafka) => {
            const admin = kafka.admin();
            const retry = { logger, describe: 'ingest topics' };
            await retryKafkaStartUp(() => admin.connect(), retry);
            const partitions = config.infra.topicPartitions;
            const topics = [TOPICS.alerts, TOPICS.alertsDeadLetter, ...rawTopics];
            const specs = topics.map((topic) => ({ topic, numPartitions: partitions }));
            await retryKafkaStartUp(() => ensureTopics(admin, specs), retry);
            await admin.disconnect();
            const producer = kafka.producer({
              idempotent: true,
              maxInFlightRequests: 1,
              createPartitioner: Partitioners.DefaultPartitioner,
            });
            await retryKafkaStartUp(() => producer.connect(), { logger, describe: 'producer' });
            return producer;
          },
        },
        {
          // The PRODUCER dependency: the alerts topic exists before it is read.
          provide: ALERT_LOG,
          inject: [KAFKA, PRODUCER],
          useFactory: (kafka: Kafka) =>
            AlertLogTail.start({
              kafka,
              logger,
              bounds: {
                horizonMs: config.redeliveryHorizonMs,
                maxBytes: config.redeliveryMaxBytes,
              },
            }),
        },
        {
          provide: DATA_SOURCE,
          useFactory: async () => createDataSource(config.infra.databaseUrl).initialize(),
        },
        {
          provide: API_KEY_VERIFIER,
          inject: [DATA_SOURCE],
          useFactory: (ds: DataSource) =>
            new PgApiKeyVerifier(ds, {
              cacheTtlMs: config.apiKeys.cacheMs,
              staleTtlMs: config.apiKeys.outageGraceMs,
            }),
        },
        IngestKeyGuard,
        {
          provide: AlertPublisher,
          inject: [PRODUCER, AppMetrics],
          useFactory: async (producer: Producer, metrics: AppMetrics) => {
            const codec = await AvroTopicCodec.register<CanonicalAlert>(
              createSchemaRegistry(config.infra.schemaRegistryUrl),
              TOPICS.alerts,
              readSchemaFile('alerts'),
            );
            return new AlertPublisher(producer, codec, metrics);
          },
        },
        {
          provide: IngestService,
          inject: [AlertPublisher, ALERT_LOG],
          useFactory: (publisher: AlertPublisher, written: AlertLogTail) =>
            new IngestService(publisher, config, written),
        },
        {
          provide: RawTopicIngestor,
          inject: [AlertPublisher, ALERT_LOG, AppMetrics],
          useFactory: (publisher: AlertPublisher, written: AlertLogTail, metrics: AppMetrics) =>
            new RawTopicIngestor(
              config.rawFormats,
              publisher,
              written,
              {
                maxRecordBytes: config.maxRawRecordBytes,
                redeliveryHorizonMs: config.redeliveryHorizonMs,
                redeliveryMaxBytes: config.redeliveryMaxBytes,
                topicOf: (format) => rawTopicName(config, format),
                tenantSourceOf: (topic) => rawTenantSource(config, topic),
                ...(identityStepsEnabled() ? { admit: admitAsCanonical } : {}),
              },
              metrics,
            ),
        },
        {
          // The raw-topic consumer; the AlertPublisher dependency makes Nest create the topics
          // (the PRODUCER factory) before the microservice subscribes to them.
          provide: TransactionalKafkaTransport,
          inject: [KAFKA, AlertPublisher],
          useFactory: (kafka: Kafka) =>
            new TransactionalKafkaTransport({
              kafka,
              logger,
              groupId: config.rawGroupId,
              topics: rawTopics,
              transactionalIdPrefix: config.rawGroupId,
            }),
        },
        {
          provide: SyslogServer,
          inject: [IngestService, AppMetrics],
          useFactory: (ingest: IngestService, metrics: AppMetrics) =>
            config.syslog
              ? new SyslogServer(
                  ingest,
                  new SenderTenants(config.syslog.tenantBySender, config.syslog.tenantId),
                  config.syslog,
                  metrics,
                  logger,
                )
              : null,
        },
        IngestLifecycle,
      ],
    };
  }
}

/**
 * Ingest as a hybrid app: the HTTP API, /health and /metrics, and the raw-topic consumer as a
 * microservice when raw formats are configured. The caller listens.
 */
export async function createIngestApp({
  config,
  logger,
  abortOnError = true,
}: {
  readonly config: IngestConfig;
  readonly logger: Logger;
  readonly abortOnError?: boolean;
}): Promise<INestApplication> {
  // The controller reads bodies itself, to answer 413 and 415 before parsing anything.
  const app = await NestFactory.create(IngestModule.forRoot(config, logger), {
    bodyParser: false,
    logger: false,
    abortOnError,
  });
  if (config.rawFormats.length > 0) {
    app.connectMicroservice({ strategy: app.get(TransactionalKafkaTransport) });
    // Bootstrap hooks first (health checks; the correlator's asset inventory), then the consumer.
    await app.init();
    await app.startAllMicroservices();
  }
  return app;
}

/** Starts the long-running doors after HTTP is up and stops them, then Kafka, on shutdown. */
@Injectable()
class IngestLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(INGEST_CONFIG) private readonly config: IngestConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(PRODUCER) private readonly producer: Producer,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(ALERT_LOG) private readonly alertLog: AlertLogTail,
    @Inject(SyslogServer) private readonly syslog: SyslogServer | null,
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.health.register('postgres', async () => {
      await this.dataSource.query('SELECT 1');
    });
    this.health.register('alert-log', async () => this.alertLog.assertReading());
    if (this.syslog) this.logger.info(await this.syslog.listen(), 'syslog listening');
  }

  async onApplicationShutdown(): Promise<void> {
    // The raw-topic microservice has stopped by now: Nest closes it before shutdown hooks.
    await this.syslog?.close();
    await this.alertLog.close();
    await this.producer.disconnect();
    await this.dataSource.destroy();
  }
}
