import { NestFactory } from '@nestjs/core';
import { createLogger } from '@soc/observability';
import { readConnectorsConfig } from './connectors.config';
import { ConnectorsModule } from './connectors.module';

async function bootstrap(): Promise<void> {
  const logger = createLogger('connectors');
  const config = readConnectorsConfig();
  const app = await NestFactory.create(ConnectorsModule.forRoot(config, logger), {
    logger: false,
    abortOnError: false,
  });
  app.enableShutdownHooks();
  await app.listen(config.httpPort, '0.0.0.0');
  logger.info(
    {
      port: config.httpPort,
      fileConnectors: config.fileConnectors.map((c) => ({
        id: c.id,
        tenant: c.tenantId,
        type: c.type,
      })),
    },
    'connectors listening',
  );
}

bootstrap().catch((error: unknown) => {
  createLogger('connectors').fatal({ err: error }, 'connectors failed to start');
  process.exit(1);
});
