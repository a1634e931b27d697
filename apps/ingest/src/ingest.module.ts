import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { TOPICS, type CanonicalAlert } from '@soc/contracts';
import {
  AvroTopicCodec,
  createKafka,
  createSchemaRegistry,
  ensureTopics,
  readSchemaFile,
} from '@soc/kafka';
import { AppMetrics, HealthRegistry, ObservabilityModule } from '@soc/observability';
import { createDataSource, PgApiKeyVerifier } from '@soc/persistence';
import type { DataSource } from 'typeorm';
import { AlertPublisher } from './alert-publisher';
import { AlertsController } from './http/alerts.controller';
import { API_KEY_VERIFIER, IngestKeyGuard } from './http/tenant-auth';
import { rawTopicName, type IngestConfig } from './ingest.config';
import { IngestService } from './ingest.service';
import { RawTopicIngestor } from './raw/raw-topic-ingestor';
import { SyslogServer } from './syslog/syslog.server';
import { SenderTenants } from './syslog/syslog-tenants';

export const INGEST_CONFIG = Symbol('IngestConfig');
export const LOGGER = Symbol('Logger');
const KAFKA = Symbol('Kafka');
export const PRODUCER = Symbol('Producer');
const DATA_SOURCE = Symbol('DataSource');

/** Wires the ingest doors to Kafka and Postgres; every decision lives in the pure code. */
@Module({})
export class IngestModule {
  static forRoot(config: IngestConfig, logger: Logger): DynamicModule {
    return {
      module: IngestModule,
      imports: [ObservabilityModule.forService('ingest')],
      controllers: [AlertsController],
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
            await admin.connect();
            const partitions = config.infra.topicPartitions;
            await ensureTopics(admin, [
              { topic: TOPICS.alerts, numPartitions: partitions },
              { topic: TOPICS.alertsDeadLetter, numPartitions: partitions },
              ...config.rawFormats.map((format) => ({
                topic: rawTopicName(config, format),
                numPartitions: partitions,
              })),
            ]);
            await admin.disconnect();
            const producer = kafka.producer({
              idempotent: true,
              maxInFlightRequests: 1,
              createPartitioner: Partitioners.DefaultPartitioner,
            });
            await producer.connect();
            return producer;
          },
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
          inject: [AlertPublisher],
          useFactory: (publisher: AlertPublisher) => new IngestService(publisher, config),
        },
        {
          provide: RawTopicIngestor,
          inject: [KAFKA, AlertPublisher, AppMetrics],
          useFactory: (kafka: Kafka, publisher: AlertPublisher, metrics: AppMetrics) =>
            new RawTopicIngestor(
              kafka,
              config.rawFormats,
              publisher,
              {
                maxRecordBytes: config.maxRawRecordBytes,
                redeliveryHorizonMs: config.redeliveryHorizonMs,
                groupId: config.rawGroupId,
                topicOf: (format) => rawTopicName(config, format),
              },
              metrics,
              logger,
            ),
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

/** Starts the long-running doors after HTTP is up and stops them, then Kafka, on shutdown. */
@Injectable()
class IngestLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(INGEST_CONFIG) private readonly config: IngestConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(PRODUCER) private readonly producer: Producer,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(RawTopicIngestor) private readonly raw: RawTopicIngestor,
    @Inject(SyslogServer) private readonly syslog: SyslogServer | null,
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.health.register('postgres', async () => {
      await this.dataSource.query('SELECT 1');
    });
    if (this.config.rawFormats.length > 0) await this.raw.start();
    if (this.syslog) this.logger.info(await this.syslog.listen(), 'syslog listening');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.syslog?.close();
    await this.raw.stop();
    await this.producer.disconnect();
    await this.dataSource.destroy();
  }
}
