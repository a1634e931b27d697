import { NestFactory } from '@nestjs/core';
import { createLogger } from '@soc/observability';
import { readCorrelatorConfig } from './correlator.config';
import { CorrelatorModule } from './correlator.module';

async function bootstrap(): Promise<void> {
  const logger = createLogger('correlator');
  const config = readCorrelatorConfig();
  // abortOnError: false, so a failing provider (broker, registry, topic check) reaches the
  // fatal log below: Nest's default exits with code 1 through its own logger, turned off here.
  const app = await NestFactory.create(CorrelatorModule.forRoot(config, logger), {
    logger: false,
    abortOnError: false,
  });
  app.enableShutdownHooks();
  await app.listen(config.httpPort, '0.0.0.0');
  logger.info({ port: config.httpPort, groupId: config.groupId }, 'correlator running');
}

bootstrap().catch((error: unknown) => {
  createLogger('correlator').fatal({ err: error }, 'correlator failed to start');
  process.exit(1);
});
