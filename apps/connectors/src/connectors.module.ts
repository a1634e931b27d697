import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Logger } from 'pino';
import { createKafka } from '@soc/kafka';
import { AppMetrics, HealthRegistry, ObservabilityModule } from '@soc/observability';
import { ConnectorFleet } from './connector-fleet';
import { ConnectorMetrics } from './connector-metrics';
import type { ConnectorsConfig } from './connectors.config';

const FLEET = Symbol('ConnectorFleet');

@Injectable()
class ConnectorsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private started = false;

  constructor(
    @Inject(FLEET) private readonly fleet: ConnectorFleet,
    @Inject(HealthRegistry) health: HealthRegistry,
  ) {
    health.register('connectors', () => {
      if (!this.started) throw new Error('connectors are starting');
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.fleet.start();
    this.started = true;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.fleet.stop();
  }
}

/** The pull connectors: pollers in the shell, their decisions in the sources' pure parts. */
@Module({})
export class ConnectorsModule {
  static forRoot(config: ConnectorsConfig, logger: Logger): DynamicModule {
    return {
      module: ConnectorsModule,
      imports: [ObservabilityModule.forService('connectors')],
      providers: [
        {
          provide: FLEET,
          inject: [AppMetrics],
          useFactory: (metrics: AppMetrics) =>
            new ConnectorFleet(
              createKafka(config.kafkaBrokers, 'soc-connectors', logger),
              config,
              new ConnectorMetrics(metrics.registry),
              logger,
            ),
        },
        ConnectorsService,
      ],
    };
  }
}
