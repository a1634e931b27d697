import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Kafka } from 'kafkajs';
import { asSchemaOwner, identityStepsEnabled } from '@soc/config';
import { createKafka, createSchemaRegistry } from '@soc/kafka';
import { AppMetrics, HealthRegistry, ObservabilityModule, type Logger } from '@soc/observability';
import { ReadModelStore, migrateDatabase, openDataSource, type DataSource } from '@soc/persistence';
import { identityFold } from './identity-fold';
import { ProjectionEngine } from './projection-engine';
import type { ProjectorConfig } from './projector.config';
import { projectorController } from './projector.controller';
import { ProjectorConsumer } from './projector-consumer';
import { ProjectorMetrics } from './projector.metrics';
import { createEventDecoders, type EventDecoders } from './event-decoders';

export const PROJECTOR_DATA_SOURCE = Symbol('ProjectorDataSource');

/** The pieces of a running projector, shared by the service and by the rebuild command. */
export interface ProjectorParts {
  readonly dataSource: DataSource;
  readonly kafka: Kafka;
  readonly decoder: EventDecoders;
}

export async function createProjectorParts(
  config: ProjectorConfig,
  logger: Logger,
): Promise<ProjectorParts> {
  if (config.migrate) await migrateDatabase(asSchemaOwner(config.infra).databaseUrl);
  const dataSource = await openDataSource({
    url: config.infra.databaseUrl,
    applicationName: 'soc-projector',
    poolSize: config.databasePoolSize,
  });
  const kafka = createKafka(config.infra.kafkaBrokers, 'soc-projector', logger);
  const decoder = createEventDecoders(createSchemaRegistry(config.infra.schemaRegistryUrl), {
    incidents: config.incidentsTopic,
    feedback: config.feedbackTopic,
    incidentsEncoding: config.incidentsEncoding,
    feedbackEncoding: config.feedbackEncoding,
  });
  return { dataSource, kafka, decoder };
}

/** The parts of a rebuild: it creates and renames schemas, DDL only the schema owner may run. */
export function createRebuildParts(
  config: ProjectorConfig,
  logger: Logger,
): Promise<ProjectorParts> {
  return createProjectorParts({ ...config, infra: asSchemaOwner(config.infra) }, logger);
}

/** Health checks, and the database closed after Nest has stopped the consumer. */
@Injectable()
class ProjectorLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(PROJECTOR_DATA_SOURCE) private readonly parts: ProjectorParts,
    @Inject(ProjectorConsumer) private readonly consumer: ProjectorConsumer,
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.health.register('postgres', async () => {
      await this.parts.dataSource.query('SELECT 1');
    });
    this.health.register('kafka-consumer', () => this.consumer.health());
  }

  async onApplicationShutdown(): Promise<void> {
    await this.parts.dataSource.destroy();
  }
}

@Module({})
export class ProjectorModule {
  static forRoot(config: ProjectorConfig, logger: Logger, parts: ProjectorParts): DynamicModule {
    return {
      module: ProjectorModule,
      imports: [ObservabilityModule.forService('projector')],
      controllers: [projectorController(config)],
      providers: [
        { provide: PROJECTOR_DATA_SOURCE, useValue: parts },
        {
          provide: ProjectionEngine,
          useFactory: () =>
            new ProjectionEngine(parts.dataSource, new ReadModelStore(), {
              notify: true,
              ...(identityStepsEnabled() ? { fold: identityFold } : {}),
            }),
        },
        {
          provide: ProjectorConsumer,
          inject: [ProjectionEngine, AppMetrics],
          useFactory: (engine: ProjectionEngine, metrics: AppMetrics) =>
            new ProjectorConsumer({
              kafka: parts.kafka,
              groupId: config.groupId,
              incidentsTopic: config.incidentsTopic,
              feedbackTopic: config.feedbackTopic,
              engine,
              decoder: parts.decoder,
              metrics: new ProjectorMetrics(metrics),
              logger,
              maxWaitMs: config.maxWaitMs,
              maxBytesPerPartition: config.maxBytesPerPartition,
              partitionsConsumedConcurrently: config.partitionsConsumedConcurrently,
              topicPartitions: config.infra.topicPartitions,
            }),
        },
        ProjectorLifecycle,
      ],
    };
  }
}

/**
 * Builds the projector as a hybrid app: the consumer as a microservice (started here, after the
 * bootstrap hooks), /health and /metrics over HTTP; the caller listens.
 */
export async function createProjectorApp(
  config: ProjectorConfig,
  logger: Logger,
): Promise<INestApplication> {
  const parts = await createProjectorParts(config, logger);
  const app = await NestFactory.create(ProjectorModule.forRoot(config, logger, parts), {
    logger: false,
  });
  app.enableShutdownHooks();
  app.connectMicroservice({ strategy: app.get(ProjectorConsumer) });
  await app.init();
  await app.startAllMicroservices();
  logger.info('projector consuming');
  return app;
}
