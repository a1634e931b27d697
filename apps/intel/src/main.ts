import { NestFactory } from '@nestjs/core';
import { createLogger } from '@soc/observability';
import { readIntelConfig } from './intel.config';
import { IntelModule } from './intel.module';

async function bootstrap(): Promise<void> {
  const logger = createLogger('intel');
  const config = readIntelConfig();
  const app = await NestFactory.create(IntelModule.forRoot(config, logger), {
    logger: false,
    abortOnError: false,
  });
  app.enableShutdownHooks();
  await app.listen(config.httpPort, '0.0.0.0');
  logger.info(
    { port: config.httpPort, groupId: config.groupId, feeds: config.feeds.map((f) => f.name) },
    'intel running',
  );
}

bootstrap().catch((error: unknown) => {
  createLogger('intel').fatal({ err: error }, 'intel failed to start');
  process.exit(1);
});
