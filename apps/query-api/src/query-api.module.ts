import { join } from 'node:path';
import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { asSchemaOwner } from '@soc/config';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { Partitioners, type Producer } from 'kafkajs';
import type { FeedbackEvent, TenantConfigEvent } from '@soc/contracts';
import {
  AvroTopicCodec,
  createKafka,
  createSchemaRegistry,
  ensureTopics,
  feedbackAvroMapping,
  retryKafkaStartUp,
  readSchemaFile,
  tenantConfigAvroMapping,
} from '@soc/kafka';
import { AppMetrics, HealthRegistry, ObservabilityModule, type Logger } from '@soc/observability';
import {
  PgApiKeyVerifier,
  ensureTenant,
  installApiKey,
  migrateDatabase,
  openDataSource,
  type DataSource,
} from '@soc/persistence';
import { ActionsController } from './actions/actions.controller';
import { FeedbackOutbox } from './actions/feedback-outbox';
import {
  FeedbackService,
  jsonFeedbackEncoder,
  type FeedbackEncoder,
} from './actions/feedback.service';
import { AdminController } from './admin/admin.controller';
import { SuppressionProposals } from './admin/tenant-config/suppression-proposals.service';
import { TenantConfigController } from './admin/tenant-config/tenant-config.controller';
import { TenantConfigService } from './admin/tenant-config/tenant-config.service';
import { API_KEY_VERIFIER, AuthGuard, OIDC_VERIFIER } from './auth/auth.guard';
import { OidcVerifier } from './auth/oidc-verifier';
import { authenticateFirst } from './http/authenticate-first';
import { RateLimiter } from './http/rate-limiter';
import { refuseUnstorableUrl } from './http/refuse-unstorable-url';
import { ErrorsFilter } from './http/errors.filter';
import { IncidentsController } from './incidents/incidents.controller';
import type { QueryApiConfig } from './query-api.config';
import { QueryApiMetrics } from './query-api.metrics';
import { ReadModelListener } from './stream/read-model-listener';
import { StoriesController } from './stories/stories.controller';
import { StreamController } from './stream/stream.controller';
import {
  DATA_SOURCE,
  FEEDBACK_SERVICE,
  QUERY_API_CONFIG,
  QUERY_API_LOGGER,
  QUERY_API_METRICS,
  READ_MODEL_LISTENER,
  SUPPRESSION_PROPOSALS,
  TENANT_CONFIG_SERVICE,
} from './tokens';

export const DASHBOARD_DIR = join(__dirname, '..', 'dashboard');

/** Connections the API holds for its lifetime; closed by the shutdown hook. */
export interface QueryApiParts {
  readonly dataSource: DataSource;
  readonly producer: Producer;
  readonly listener: ReadModelListener;
  readonly encoder: FeedbackEncoder;
  readonly outbox: FeedbackOutbox;
  readonly encodeTenantConfig: (event: TenantConfigEvent) => Buffer;
}

export async function createQueryApiParts(
  config: QueryApiConfig,
  logger: Logger,
): Promise<QueryApiParts> {
  if (config.migrate) await migrateDatabase(asSchemaOwner(config.infra).databaseUrl);
  const dataSource = await openDataSource({
    url: config.infra.databaseUrl,
    applicationName: 'soc-query-api',
    poolSize: config.databasePoolSize,
    acquireTimeoutMs: config.limits.dbAcquireTimeoutMs,
    statementTimeoutMs: config.limits.dbStatementTimeoutMs,
  });
  if (config.bootstrapAdminKey) {
    await ensureTenant(dataSource, config.platformTenantId, 'Platform operator');
    const installed = await installApiKey(dataSource, {
      tenantId: config.platformTenantId,
      role: 'admin',
      name: 'bootstrap admin',
      apiKey: config.bootstrapAdminKey,
    });
    if (installed)
      logger.info({ tenantId: config.platformTenantId }, 'installed the bootstrap admin key');
  }
  const kafka = createKafka(config.infra.kafkaBrokers, 'soc-query-api', logger);
  const admin = kafka.admin();
  await retryKafkaStartUp(() => admin.connect(), { logger, describe: 'admin' });
  try {
    await retryKafkaStartUp(
      () =>
        ensureTopics(admin, [
          { topic: config.feedbackTopic, numPartitions: config.infra.topicPartitions },
          // The partition count of the alerts topic: the correlator reads them co-partitioned.
          { topic: config.tenantConfigTopic, numPartitions: config.infra.topicPartitions },
        ]),
      { logger, describe: 'topics' },
    );
  } finally {
    await admin.disconnect();
  }
  // Keyed by tenant with the Java-compatible partitioner, like every other producer here.
  // The feedback outbox relays inside a database transaction that holds a pooled connection,
  // so a send must fail fast in a Kafka outage instead of retrying for the default half
  // minute; the outbox's timer tries again.
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: 3, initialRetryTime: 200, maxRetryTime: 1_000 },
  });
  await retryKafkaStartUp(() => producer.connect(), { logger, describe: 'producer' });
  const listener = new ReadModelListener(config.infra.databaseUrl, logger);
  await listener.start();
  const encoder =
    config.feedbackEncoding === 'json' ? jsonFeedbackEncoder : await avroFeedbackEncoder(config);
  const outbox = new FeedbackOutbox(dataSource, producer, {
    topic: config.feedbackTopic,
    logger,
    intervalMs: 1_000,
  });
  outbox.start();

  const tenantConfigCodec = await AvroTopicCodec.register<TenantConfigEvent>(
    createSchemaRegistry(config.infra.schemaRegistryUrl),
    config.tenantConfigTopic,
    readSchemaFile('tenantConfig'),
    tenantConfigAvroMapping,
  );
  const encodeTenantConfig = (event: TenantConfigEvent) => tenantConfigCodec.encode(event);
  return { dataSource, producer, listener, encoder, outbox, encodeTenantConfig };
}

/** Registers the feedback schema (BACKWARD_TRANSITIVE) and encodes in the Confluent wire format. */
async function avroFeedbackEncoder(config: QueryApiConfig): Promise<FeedbackEncoder> {
  const codec = await AvroTopicCodec.register<FeedbackEvent>(
    createSchemaRegistry(config.infra.schemaRegistryUrl),
    config.feedbackTopic,
    readSchemaFile('feedback'),
    feedbackAvroMapping,
  );
  return { encode: (event) => codec.encode(event), contentType: 'application/vnd.apache.avro' };
}

@Injectable()
class Lifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(QUERY_API_LOGGER) private readonly logger: Logger,
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject('QUERY_API_PARTS') private readonly parts: QueryApiParts,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.parts.listener.stop();
    await this.parts.outbox.stop();
    await this.parts.producer
      .disconnect()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'producer disconnect failed'));
    await this.dataSource.destroy();
  }
}

@Module({})
export class QueryApiModule {
  static forRoot(config: QueryApiConfig, logger: Logger, parts: QueryApiParts): DynamicModule {
    return {
      module: QueryApiModule,
      imports: [ObservabilityModule.forService('query-api')],
      controllers: [
        IncidentsController,
        StoriesController,
        ActionsController,
        StreamController,
        AdminController,
        TenantConfigController,
      ],
      providers: [
        { provide: QUERY_API_CONFIG, useValue: config },
        { provide: QUERY_API_LOGGER, useValue: logger },
        { provide: 'QUERY_API_PARTS', useValue: parts },
        { provide: DATA_SOURCE, useValue: parts.dataSource },
        { provide: READ_MODEL_LISTENER, useValue: parts.listener },
        {
          provide: QUERY_API_METRICS,
          inject: [AppMetrics],
          useFactory: (metrics: AppMetrics) => new QueryApiMetrics(metrics),
        },
        {
          provide: API_KEY_VERIFIER,
          useValue: new PgApiKeyVerifier(parts.dataSource, {
            cacheTtlMs: config.apiKeyCacheMs,
            staleTtlMs: config.apiKeyOutageGraceMs,
          }),
        },
        { provide: OIDC_VERIFIER, useValue: config.oidc ? new OidcVerifier(config.oidc) : null },
        {
          provide: FEEDBACK_SERVICE,
          inject: [QUERY_API_METRICS],
          useFactory: (metrics: QueryApiMetrics) =>
            new FeedbackService(parts.dataSource, parts.outbox, parts.listener, {
              waitMs: config.projectionWaitMs,
              encoder: parts.encoder,
              onProduced: (type) => metrics.feedbackProduced.inc({ type }),
            }),
        },
        {
          provide: TENANT_CONFIG_SERVICE,
          useValue: new TenantConfigService(
            parts.dataSource,
            parts.producer,
            config.tenantConfigTopic,
            parts.encodeTenantConfig,
          ),
        },
        { provide: SUPPRESSION_PROPOSALS, useValue: new SuppressionProposals(parts.dataSource) },
        {
          provide: 'HEALTH_CHECKS',
          inject: [HealthRegistry],
          useFactory: (health: HealthRegistry) => {
            health.register('postgres', async () => {
              await parts.dataSource.query('SELECT 1');
            });
            health.register('read-model-listener', () => {
              if (!parts.listener.connected)
                throw new Error('LISTEN connection down; live updates fall back to polling');
            });
            return true;
          },
        },
        AuthGuard,
        Lifecycle,
      ],
    };
  }
}

/** Builds the query API: REST under /api/v1, OpenAPI at /docs, the dashboard at /dashboard. */
export async function createQueryApiApp(
  config: QueryApiConfig,
  logger: Logger,
): Promise<NestExpressApplication> {
  const parts = await createQueryApiParts(config, logger);
  const app = await NestFactory.create<NestExpressApplication>(
    QueryApiModule.forRoot(config, logger, parts),
    { logger: false, bodyParser: false },
  );
  app.enableShutdownHooks();
  app.use(refuseUnstorableUrl);
  // Credentials and rate limits before any body is read (authenticate-first.ts).
  app.use(
    authenticateFirst({
      guard: app.get(AuthGuard),
      perKey: new RateLimiter({
        perSecond: config.limits.ratePerSecond,
        burst: config.limits.rateBurst,
      }),
      failuresPerAddress: new RateLimiter({
        perSecond: config.limits.failedAuthPerSecond,
        burst: config.limits.failedAuthPerSecond * 4,
      }),
      logger,
    }),
  );
  app.useBodyParser('json', { limit: config.limits.maxJsonBodyBytes });
  app.useBodyParser('text', {
    type: ['text/csv', 'text/plain'],
    limit: config.limits.maxCsvBodyBytes,
  });
  app.useGlobalFilters(new ErrorsFilter(logger));
  app.setGlobalPrefix('api/v1', { exclude: ['health', 'metrics'] });

  const metrics = app.get<QueryApiMetrics>(QUERY_API_METRICS);
  app.use((req: Request, res: Response, next: NextFunction) => {
    const end = metrics.requests.startTimer();
    res.on('finish', () => {
      const route = (req.route as { path?: unknown } | undefined)?.path;
      end({
        method: req.method,
        route: typeof route === 'string' ? route : 'unmatched',
        status: String(res.statusCode),
      });
    });
    next();
  });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('SOC query API')
      .setDescription(
        'Incidents, alerts, entities and stats from the read model; analyst actions as feedback events.',
      )
      .setVersion('1')
      .addApiKey({ type: 'apiKey', name: 'x-api-key', in: 'header' }, 'api-key')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
  SwaggerModule.setup('docs', app, document);

  app.useStaticAssets(DASHBOARD_DIR, { prefix: '/dashboard/', index: 'index.html', maxAge: 0 });
  const http = app.getHttpAdapter().getInstance() as {
    get(path: string, handler: (req: Request, res: Response) => void): void;
  };
  http.get('/', (_req, res) => res.redirect('/dashboard/'));
  http.get('/dashboard', (_req, res) => res.redirect('/dashboard/'));
  return app;
}
