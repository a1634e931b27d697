import { Module, type INestApplication, type Provider } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ObservabilityModule } from './observability.module';

@Module({})
class ServiceAppModule {}

/**
 * A service's Nest app: its providers with /health and /metrics. Nest's own logger is off
 * because the service logs through pino; shutdown hooks are on so that the providers'
 * OnApplicationShutdown stops their consumers on SIGTERM. The caller listens.
 */
export async function createServiceApp({
  service,
  providers,
}: {
  readonly service: string;
  readonly providers: Provider[];
}): Promise<INestApplication> {
  const app = await NestFactory.create(
    { module: ServiceAppModule, imports: [ObservabilityModule.forService(service)], providers },
    { logger: false },
  );
  app.enableShutdownHooks();
  return app;
}
