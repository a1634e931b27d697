import {
  Inject,
  Injectable,
  type INestApplication,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  AvroTopicCodec,
  createKafka,
  createSchemaRegistry,
  incidentAvroMapping,
  readSchemaFile,
} from '@soc/kafka';
import { AppMetrics, createServiceApp, HealthRegistry, type Logger } from '@soc/observability';
import type { ActionsConfig } from './actions.config';
import { ActionsConsumer } from './actions-consumer';
import { ActionsMetrics } from './actions.metrics';
import { createDestinations } from './destinations/create-destinations';
import { secretsFrom } from './routing/routing';

const ACTIONS_CONFIG = Symbol('ActionsConfig');
const ACTIONS_LOGGER = Symbol('ActionsLogger');

@Injectable()
class ActionsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private consumer: ActionsConsumer | null = null;
  private readonly destinations;

  constructor(
    @Inject(ACTIONS_CONFIG) private readonly config: ActionsConfig,
    @Inject(ACTIONS_LOGGER) private readonly logger: Logger,
    @Inject(AppMetrics) private readonly metrics: AppMetrics,
    @Inject(HealthRegistry) health: HealthRegistry,
  ) {
    this.destinations = createDestinations(config.routing, secretsFrom(process.env));
    health.register('kafka-consumer', () => {
      if (!this.consumer) throw new Error('consumer not started');
      this.consumer.health();
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const { config, logger } = this;
    const kafka = createKafka(config.kafkaBrokers, 'soc-actions', logger);
    const codec = await AvroTopicCodec.register(
      createSchemaRegistry(config.schemaRegistryUrl),
      config.incidentsTopic,
      readSchemaFile('incidents'),
      incidentAvroMapping,
    );
    this.consumer = new ActionsConsumer({
      kafka,
      groupId: config.groupId,
      incidentsTopic: config.incidentsTopic,
      deadLetterTopic: config.deadLetterTopic,
      codec,
      routing: config.routing,
      destinations: this.destinations,
      retry: config.retry,
      startFrom: config.startFrom,
      metrics: new ActionsMetrics(this.metrics),
      logger,
      topicPartitions: config.topicPartitions,
    });
    await this.consumer.start();
    logger.info(
      {
        destinations: [...this.destinations.values()].map((d) => ({ name: d.name, type: d.type })),
      },
      'actions consuming',
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.consumer
      ?.stop()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'consumer stop failed'));
    for (const destination of this.destinations.values()) await destination.close?.();
  }
}

/** The actions app (consumer, /health, /metrics); the caller listens. */
export async function createActionsApp(
  config: ActionsConfig,
  logger: Logger,
): Promise<INestApplication> {
  return createServiceApp({
    service: 'actions',
    providers: [
      { provide: ACTIONS_CONFIG, useValue: config },
      { provide: ACTIONS_LOGGER, useValue: logger },
      ActionsService,
    ],
  });
}
