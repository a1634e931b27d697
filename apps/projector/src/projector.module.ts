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
import { createKafka, createSchemaRegistry } from '@soc/kafka';
import { AppMetrics, HealthRegistry, ObservabilityModule, type Logger } from '@soc/observability';
import { ReadModelStore, openDataSource, type DataSource } from '@soc/persistence';
import { ProjectionEngine } from './projection-engine';
import type { ProjectorConfig } from './projector.config';
import { ProjectorConsumer } from './projector-consumer';
import { ProjectorMetrics } from './projector.metrics';
import { createEventDecoders, type EventDecoders } from './event-decoders';

export const PROJECTOR_CONFIG = Symbol('ProjectorConfig');
export const PROJECTOR_LOGGER = Symbol('ProjectorLogger');
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
  const dataSource = await openDataSource(
    {
      url: config.infra.databaseUrl,
      applicationName: 'soc-projector',
      poolSize: config.databasePoolSize,
    },
    { migrate: config.migrate },
  );
  const kafka = createKafka(config.infra.kafkaBrokers, 'soc-projector', logger);
  const decoder = createEventDecoders(createSchemaRegistry(config.infra.schemaRegistryUrl));
  return { dataSource, kafka, decoder };
}

@Injectable()
class ProjectorService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly consumer: ProjectorConsumer;

  constructor(
    @Inject(PROJECTOR_CONFIG) config: ProjectorConfig,
    @Inject(PROJECTOR_LOGGER) private readonly logger: Logger,
    @Inject(PROJECTOR_DATA_SOURCE) private readonly parts: ProjectorParts,
    @Inject(AppMetrics) metrics: AppMetrics,
    @Inject(HealthRegistry) health: HealthRegistry,
  ) {
    const engine = new ProjectionEngine(parts.dataSource, new ReadModelStore(), { notify: true });
    this.consumer = new ProjectorConsumer({
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
    });
    health.register('postgres', async () => {
      await parts.dataSource.query('SELECT 1');
    });
    health.register('kafka-consumer', () => this.consumer.health());
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.consumer.start();
    this.logger.info('projector consuming');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer
      .stop()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'consumer stop failed'));
    await this.parts.dataSource.destroy();
  }
}

@Module({})
export class ProjectorModule {
  static forRoot(config: ProjectorConfig, logger: Logger, parts: ProjectorParts): DynamicModule {
    return {
      module: ProjectorModule,
      imports: [ObservabilityModule.forService('projector')],
      providers: [
        { provide: PROJECTOR_CONFIG, useValue: config },
        { provide: PROJECTOR_LOGGER, useValue: logger },
        { provide: PROJECTOR_DATA_SOURCE, useValue: parts },
        ProjectorService,
      ],
    };
  }
}

/** Builds the projector app (consumer plus /health and /metrics); the caller listens. */
export async function createProjectorApp(
  config: ProjectorConfig,
  logger: Logger,
): Promise<INestApplication> {
  const parts = await createProjectorParts(config, logger);
  const app = await NestFactory.create(ProjectorModule.forRoot(config, logger, parts), {
    logger: false,
  });
  app.enableShutdownHooks();
  return app;
}
