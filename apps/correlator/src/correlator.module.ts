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
import type { Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { CanonicalAlert, IncidentEvent, IntelEvent, TenantConfigEvent } from '@soc/contracts';
import { identityStepsEnabled } from '@soc/config';
import { withAssetLookup } from '@soc/domain';
import {
  AvroTopicCodec,
  createKafka,
  createSchemaRegistry,
  ensureTopics,
  incidentAvroMapping,
  intelAvroMapping,
  readSchemaFile,
  retryKafkaStartUp,
  tenantConfigAvroMapping,
  TransactionalKafkaTransport,
} from '@soc/kafka';
import { AppMetrics, HealthRegistry, ObservabilityModule } from '@soc/observability';
import { createDataSource } from '@soc/persistence';
import { AssetInventory } from './asset-inventory';
import type { CorrelatorConfig } from './correlator.config';
import { correlatorController, MICRO_BATCHING } from './correlator.controller';
import { CorrelatorPipeline } from './correlator-pipeline';
import { createFeedbackDecoder } from './feedback-decoder';
import { createIdentityCorrelator } from './identity-correlator';
import { createPartitionCorrelator } from './partition-correlator';

const CONFIG = Symbol('CorrelatorConfig');
const LOGGER = Symbol('Logger');
const KAFKA = Symbol('Kafka');
const DATA_SOURCE = Symbol('DataSource');

@Injectable()
class CorrelatorLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(CONFIG) private readonly config: CorrelatorConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(AssetInventory) private readonly assets: AssetInventory,
    @Inject(TransactionalKafkaTransport) private readonly transport: TransactionalKafkaTransport,
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.health.register('postgres', async () => {
      await this.dataSource.query('SELECT 1');
    });
    this.health.register('kafka-consumer', () => this.transport.assertRunning());
    const loaded = await this.assets.refresh();
    this.logger.info({ assets: loaded }, 'asset inventory loaded');
    this.refreshTimer = setInterval(() => {
      this.assets
        .refresh()
        .catch((err: unknown) => this.logger.warn({ err }, 'asset inventory refresh failed'));
    }, this.config.assetRefreshMs);
  }

  /** Runs after Nest closed the microservice: no batch is in flight any more. */
  async onApplicationShutdown(): Promise<void> {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    await this.dataSource.destroy();
  }
}

/**
 * Wires the pure correlator to Kafka (exactly once, as a Nest microservice on the
 * transactional transport) and the asset inventory in Postgres.
 */
@Module({})
export class CorrelatorModule {
  static forRoot(config: CorrelatorConfig, logger: Logger): DynamicModule {
    return {
      module: CorrelatorModule,
      imports: [ObservabilityModule.forService('correlator')],
      controllers: [correlatorController(config.topics)],
      providers: [
        {
          provide: MICRO_BATCHING,
          useValue: {
            flushMs: config.flushIntervalMs,
            maxRecords: config.maxTransactionAlerts,
            idleTickMs: config.idleTickIntervalMs,
          },
        },
        {
          provide: TransactionalKafkaTransport,
          inject: [KAFKA],
          useFactory: (kafka: Kafka) =>
            new TransactionalKafkaTransport({
              kafka,
              logger,
              groupId: config.groupId,
              // Alerts first: partition p of every input has one owner, producer and state,
              // named after the alerts partition as before the other inputs were read.
              topics: [
                config.topics.alerts,
                config.topics.intel,
                config.topics.feedback,
                config.topics.tenantConfig,
              ],
              coPartitioned: true,
              // Recovered on assignment, so a partition that receives nothing after a restart
              // still gets its idle ticks and closes what it recovered open.
              startOnAssignment: config.idleTickIntervalMs > 0,
              transactionalIdPrefix: config.groupId,
              consumer: {
                maxBytesPerPartition: 2 * 1024 * 1024,
                sessionTimeout: config.sessionTimeoutMs,
                heartbeatInterval: config.heartbeatIntervalMs,
              },
            }),
        },
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        {
          provide: KAFKA,
          useFactory: () => createKafka(config.infra.kafkaBrokers, 'soc-correlator', logger),
        },
        {
          provide: DATA_SOURCE,
          useFactory: () => createDataSource(config.infra.databaseUrl).initialize(),
        },
        {
          provide: AssetInventory,
          inject: [DATA_SOURCE],
          useFactory: (ds: DataSource) => new AssetInventory(ds),
        },
        {
          provide: CorrelatorPipeline,
          inject: [KAFKA, AssetInventory, AppMetrics],
          useFactory: async (kafka: Kafka, assets: AssetInventory, metrics: AppMetrics) => {
            const admin = kafka.admin();
            const retry = { logger, describe: 'correlator topics' };
            await retryKafkaStartUp(() => admin.connect(), retry);
            const partitions = config.infra.topicPartitions;
            const { topics } = config;
            try {
              const names = [
                topics.alerts,
                topics.alertsDeadLetter,
                topics.incidents,
                topics.intel,
                topics.feedback,
                topics.tenantConfig,
              ];
              const specs = names.map((topic) => ({ topic, numPartitions: partitions }));
              await retryKafkaStartUp(() => ensureTopics(admin, specs), retry);
            } finally {
              await admin.disconnect();
            }
            const registry = createSchemaRegistry(config.infra.schemaRegistryUrl);
            const alertCodec = await AvroTopicCodec.register<CanonicalAlert>(
              registry,
              topics.alerts,
              readSchemaFile('alerts'),
            );
            const incidentCodec = await AvroTopicCodec.register<IncidentEvent>(
              registry,
              topics.incidents,
              readSchemaFile('incidents'),
              incidentAvroMapping,
            );
            const intelCodec = await AvroTopicCodec.register<IntelEvent>(
              registry,
              topics.intel,
              readSchemaFile('intel'),
              intelAvroMapping,
            );
            const feedbackDecoder = createFeedbackDecoder(registry, topics.feedback);
            const tenantConfigCodec = await AvroTopicCodec.register<TenantConfigEvent>(
              registry,
              topics.tenantConfig,
              readSchemaFile('tenantConfig'),
              tenantConfigAvroMapping,
            );
            const correlation = withAssetLookup(config.correlation, (tenantId) =>
              assets.lookupFor(tenantId),
            );
            return new CorrelatorPipeline({
              kafka,
              topics,
              alertCodec,
              incidentCodec,
              intelCodec,
              feedbackDecoder,
              tenantConfigCodec,
              newPartitionCorrelator: identityStepsEnabled()
                ? createIdentityCorrelator
                : () => createPartitionCorrelator(correlation),
              metrics,
              logger,
            });
          },
        },
        CorrelatorLifecycle,
      ],
    };
  }
}

/**
 * The correlator as a hybrid app: the alert consumer as a microservice, /health and /metrics
 * over HTTP. The consumer starts after the asset inventory is loaded (bootstrap hooks run
 * first) and before HTTP answers, so a healthy /health means a running consumer.
 */
export async function startCorrelatorApp({
  config,
  logger,
  host,
}: {
  readonly config: CorrelatorConfig;
  readonly logger: Logger;
  readonly host: string;
}): Promise<INestApplication> {
  // abortOnError: false, so a failing provider (broker, registry, topic check) reaches the
  // caller: Nest's default exits with code 1 through its own logger, turned off here.
  const app = await NestFactory.create(CorrelatorModule.forRoot(config, logger), {
    logger: false,
    abortOnError: false,
  });
  app.enableShutdownHooks();
  app.connectMicroservice({ strategy: app.get(TransactionalKafkaTransport) });
  // Bootstrap hooks first (health checks; the correlator's asset inventory), then the consumer.
  await app.init();
  await app.startAllMicroservices();
  await app.listen(config.httpPort, host);
  return app;
}
