import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { asSchemaOwner } from '@soc/config';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type { CanonicalAlert, IntelEvent } from '@soc/contracts';
import { DEFAULT_VERDICT_TTLS } from '@soc/domain';
import {
  abuseIpdbClient,
  BudgetStore,
  FeedRegistry,
  PendingLookups,
  RemoteLookups,
  VerdictCache,
  virusTotalClient,
} from '@soc/intel';
import {
  AvroTopicCodec,
  createKafka,
  createSchemaRegistry,
  ensureTopics,
  intelAvroMapping,
  retryKafkaStartUp,
  readSchemaFile,
} from '@soc/kafka';
import { AppMetrics, HealthRegistry, ObservabilityModule } from '@soc/observability';
import { migrateDatabase, openDataSource } from '@soc/persistence';
import { AlertEnricher } from './alert-enricher';
import type { IntelConfig } from './intel.config';
import { IntelMetrics } from './intel.metrics';
import { IntelPublisher } from './intel-publisher';
import { LookupWorker } from './lookup-worker';

const CONFIG = Symbol('IntelConfig');
const LOGGER = Symbol('Logger');
const RUNTIME = Symbol('IntelRuntime');

/** Provider answers are a few KiB; anything near this is not an answer we read. */
const MAX_PROVIDER_RESPONSE_BYTES = 1_048_576;

interface IntelRuntime {
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly db: DataSource;
  readonly feeds: FeedRegistry;
  readonly enricher: AlertEnricher;
  readonly worker: LookupWorker;
  readonly pending: PendingLookups;
  readonly cache: VerdictCache;
  readonly intelMetrics: IntelMetrics;
}

/** How often the pending-lookup gauge is refreshed and expired cache rows are purged. */
const MAINTENANCE_INTERVAL_MS = 60_000;

interface Connections {
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly db: DataSource;
  readonly alertCodec: AvroTopicCodec<CanonicalAlert>;
  readonly intelCodec: AvroTopicCodec<IntelEvent>;
}

/** Topics (co-partitioned), schemas, the database (migrated when asked) and the producer. */
async function connect(config: IntelConfig, logger: Logger): Promise<Connections> {
  const kafka = createKafka(config.infra.kafkaBrokers, 'soc-intel', logger);
  const admin = kafka.admin();
  await retryKafkaStartUp(() => admin.connect(), { logger, describe: 'admin' });
  try {
    await retryKafkaStartUp(
      () =>
        ensureTopics(admin, [
          { topic: config.topics.alerts, numPartitions: config.infra.topicPartitions },
          { topic: config.topics.intel, numPartitions: config.infra.topicPartitions },
        ]),
      { logger, describe: 'topics' },
    );
  } finally {
    await admin.disconnect();
  }
  const registry = createSchemaRegistry(config.infra.schemaRegistryUrl);
  const alertCodec = await AvroTopicCodec.register<CanonicalAlert>(
    registry,
    config.topics.alerts,
    readSchemaFile('alerts'),
  );
  const intelCodec = await AvroTopicCodec.register<IntelEvent>(
    registry,
    config.topics.intel,
    readSchemaFile('intel'),
    intelAvroMapping,
  );
  if (config.migrate) await migrateDatabase(asSchemaOwner(config.infra).databaseUrl);
  const db = await openDataSource({ url: config.infra.databaseUrl, applicationName: 'soc-intel' });
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await retryKafkaStartUp(() => producer.connect(), { logger, describe: 'producer' });
  return { kafka, producer, db, alertCodec, intelCodec };
}

function remoteLookups(config: IntelConfig, db: DataSource, now: () => number): RemoteLookups {
  const clientOptions = {
    timeoutMs: config.providers.timeoutMs,
    maxResponseBytes: MAX_PROVIDER_RESPONSE_BYTES,
    now,
  };
  return new RemoteLookups({
    cache: new VerdictCache(db),
    budgets: new BudgetStore(db),
    clients: [
      virusTotalClient({ ...clientOptions, baseUrl: config.providers.virusTotalBaseUrl }),
      abuseIpdbClient({ ...clientOptions, baseUrl: config.providers.abuseIpdbBaseUrl }),
    ],
    ttls: DEFAULT_VERDICT_TTLS,
    retryBaseMs: config.retryBaseMs,
    now,
  });
}

async function createRuntime(
  config: IntelConfig,
  logger: Logger,
  metrics: AppMetrics,
): Promise<IntelRuntime> {
  const { kafka, producer, db, alertCodec, intelCodec } = await connect(config, logger);
  const now = () => Date.now();
  const cache = new VerdictCache(db);
  const pending = new PendingLookups(db);
  const remote = remoteLookups(config, db, now);
  const feeds = new FeedRegistry(config.feeds, {
    maxBytes: config.feedMaxBytes,
    timeoutMs: 60_000,
  });
  const intelMetrics = new IntelMetrics(metrics);
  const publisher = new IntelPublisher({
    producer,
    codec: intelCodec,
    topic: config.topics.intel,
    db,
    metrics,
  });
  const enricher = new AlertEnricher({
    kafka,
    groupId: config.groupId,
    alertsTopic: config.topics.alerts,
    alertCodec,
    settings: config.settings,
    feeds,
    cache,
    pending,
    remote,
    publisher,
    metrics,
    intelMetrics,
    logger,
    now,
  });
  const worker = new LookupWorker({
    pending,
    remote,
    settings: config.settings,
    publisher,
    intelMetrics,
    logger,
    intervalMs: config.lookupIntervalMs,
    batch: config.lookupBatch,
    leaseMs: Math.max(60_000, 4 * config.providers.timeoutMs),
    retryBaseMs: config.retryBaseMs,
    now,
  });
  return { kafka, producer, db, feeds, enricher, worker, pending, cache, intelMetrics };
}

@Injectable()
class IntelLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private feedTimer: NodeJS.Timeout | undefined;
  private maintenanceTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(CONFIG) private readonly config: IntelConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(RUNTIME) private readonly runtime: IntelRuntime,
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { db, enricher, worker } = this.runtime;
    this.health.register('postgres', async () => {
      await db.query('SELECT 1');
    });
    this.health.register('kafka-consumer', () => enricher.assertRunning());
    await this.refreshFeeds();
    this.feedTimer = setInterval(() => {
      this.refreshFeeds().catch((err: unknown) => this.logger.warn({ err }, 'feed refresh failed'));
    }, this.config.feedRefreshMs);
    this.maintenanceTimer = setInterval(() => void this.maintain(), MAINTENANCE_INTERVAL_MS);
    await enricher.start();
    worker.start();
  }

  private async maintain(): Promise<void> {
    try {
      this.runtime.intelMetrics.pendingLookups.set(await this.runtime.pending.count());
      const purged = await this.runtime.cache.purge(Date.now());
      if (purged > 0) this.logger.info({ purged }, 'expired intel verdicts purged from the cache');
    } catch (err) {
      this.logger.warn({ err }, 'intel maintenance failed');
    }
  }

  private async refreshFeeds(): Promise<void> {
    const report = await this.runtime.feeds.refresh();
    this.runtime.intelMetrics.feedEntries.set(report.indexed);
    for (const failure of report.failed)
      this.logger.warn(failure, 'feed not loaded; keeping its last entries');
    this.logger.info({ loaded: report.loaded, indexed: report.indexed }, 'feeds loaded');
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.feedTimer) clearInterval(this.feedTimer);
    if (this.maintenanceTimer) clearInterval(this.maintenanceTimer);
    await this.runtime.worker.stop();
    await this.runtime.enricher.stop();
    await this.runtime.producer.disconnect();
    await this.runtime.db.destroy();
  }
}

/** The enrichment service: alerts in (own group), verdicts out on soc.intel.v1. */
@Module({})
export class IntelModule {
  static forRoot(config: IntelConfig, logger: Logger): DynamicModule {
    return {
      module: IntelModule,
      imports: [ObservabilityModule.forService('intel')],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        {
          provide: RUNTIME,
          inject: [AppMetrics],
          useFactory: (metrics: AppMetrics) => createRuntime(config, logger, metrics),
        },
        IntelLifecycle,
      ],
    };
  }
}
