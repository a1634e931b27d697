import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Logger } from 'pino';
import type { TenantConfigEvent } from '@soc/contracts';
import {
  AvroDecoder,
  createKafka,
  createSchemaRegistry,
  readSchemaFile,
  tenantConfigAvroMapping,
} from '@soc/kafka';
import { AppMetrics, HealthRegistry, ObservabilityModule } from '@soc/observability';
import { ConnectorFleet } from './connector-fleet';
import { ConnectorMetrics } from './connector-metrics';
import type { ConnectorsConfig } from './connectors.config';
import { effectiveConnectors, type TenantConnectorSettings } from './effective-connectors';
import { TenantConfigFollower } from './tenant-config-follower';

const OPTIONS = Symbol('ConnectorsOptions');

interface ConnectorsOptions {
  readonly config: ConnectorsConfig;
  readonly logger: Logger;
  /** Where the connectors' `{"env": NAME}` secrets are read. */
  readonly env: NodeJS.ProcessEnv;
}

/**
 * The file's connectors and the tenants' configured ones, kept running as the tenants'
 * configurations change on soc.tenant-config.v1 (see effectiveConnectors for how they combine).
 */
@Injectable()
class ConnectorsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private started = false;
  private firstApplied: Promise<void> | undefined;
  private readonly fleet: ConnectorFleet;
  private readonly follower: TenantConfigFollower;
  private readonly metrics: ConnectorMetrics;

  constructor(
    @Inject(OPTIONS) private readonly options: ConnectorsOptions,
    @Inject(AppMetrics) appMetrics: AppMetrics,
    @Inject(HealthRegistry) health: HealthRegistry,
  ) {
    const { config, logger } = options;
    const kafka = createKafka(config.kafkaBrokers, 'soc-connectors', logger);
    this.metrics = new ConnectorMetrics(appMetrics.registry);
    this.fleet = new ConnectorFleet(kafka, config, this.metrics, logger);
    this.follower = new TenantConfigFollower({
      kafka,
      topic: config.tenantConfigTopic,
      numPartitions: config.topicPartitions,
      decoder: new AvroDecoder<TenantConfigEvent>(
        createSchemaRegistry(config.schemaRegistryUrl),
        readSchemaFile('tenantConfig'),
        {
          fromAvro: tenantConfigAvroMapping.fromAvro,
          subject: `${config.tenantConfigTopic}-value`,
        },
      ),
      groupPrefix: config.transactionalIdPrefix,
      logger,
      onSettings: (settings) => this.onSettings(settings),
    });
    health.register('connectors', () => {
      if (!this.started) throw new Error('connectors are starting');
      const failure = this.follower.failure;
      if (failure) throw new Error(`tenant configurations no longer followed: ${failure.message}`);
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.fleet.start();
    await this.follower.start();
    // Connectors that fail to start at boot fail the app, as a bad file does.
    await this.firstApplied;
    this.started = true;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.follower.stop();
    await this.fleet.stop();
  }

  private onSettings(settings: readonly TenantConnectorSettings[]): void {
    const applied = this.apply(settings);
    if (this.firstApplied === undefined) this.firstApplied = applied;
    // Later: a connector that failed to start is retried at the next change.
    else
      applied.catch((error: unknown) =>
        this.options.logger.error({ err: error }, 'connector change not fully applied'),
      );
  }

  private async apply(settings: readonly TenantConnectorSettings[]): Promise<void> {
    const { config, env, logger } = this.options;
    const { definitions, problems } = effectiveConnectors({
      file: config.fileConnectors,
      tenants: settings,
      env,
    });
    this.metrics.settingsProblems.set(problems.length);
    if (problems.length > 0) logger.error({ problems }, 'tenant connector settings not run');
    await this.fleet.apply(definitions);
    logger.info({ connectors: this.fleet.keys }, 'connectors running');
  }
}

/** The pull connectors: pollers in the shell, their decisions in the sources' pure parts. */
@Module({})
export class ConnectorsModule {
  static forRoot(config: ConnectorsConfig, logger: Logger, env = process.env): DynamicModule {
    return {
      module: ConnectorsModule,
      imports: [ObservabilityModule.forService('connectors')],
      providers: [{ provide: OPTIONS, useValue: { config, logger, env } }, ConnectorsService],
    };
  }
}
