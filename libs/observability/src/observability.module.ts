import { Controller, Get, Header, Inject, Module, Res, type DynamicModule } from '@nestjs/common';
import type { Response } from 'express';
import { HealthRegistry } from './health';
import { AppMetrics } from './metrics';

@Controller()
class ObservabilityController {
  constructor(
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
    @Inject(AppMetrics) private readonly metrics: AppMetrics,
  ) {}

  @Get('health')
  async getHealth(@Res() res: Response): Promise<void> {
    const report = await this.health.report();
    res.status(report.status === 'ok' ? 200 : 503).json(report);
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async getMetrics(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

/** `/health` and Prometheus `/metrics` for every app. */
@Module({})
export class ObservabilityModule {
  static forService(service: string): DynamicModule {
    return {
      module: ObservabilityModule,
      global: true,
      controllers: [ObservabilityController],
      providers: [
        { provide: HealthRegistry, useValue: new HealthRegistry() },
        { provide: AppMetrics, useValue: new AppMetrics(service) },
      ],
      exports: [HealthRegistry, AppMetrics],
    };
  }
}
