import { NestFactory } from '@nestjs/core';
import { createLogger } from '@soc/observability';
import { readIngestConfig } from './ingest.config';
import { IngestModule } from './ingest.module';

async function bootstrap(): Promise<void> {
  const logger = createLogger('ingest');
  const config = readIngestConfig();
  // The controller reads bodies itself, to answer 413 and 415 before parsing anything.
  const app = await NestFactory.create(IngestModule.forRoot(config, logger), {
    bodyParser: false,
    logger: false,
    abortOnError: false,
  });
  app.enableShutdownHooks();
  await app.listen(config.httpPort, '0.0.0.0');
  logger.info({ port: config.httpPort, rawFormats: config.rawFormats }, 'ingest listening');
}

bootstrap().catch((error: unknown) => {
  createLogger('ingest').fatal({ err: error }, 'ingest failed to start');
  process.exit(1);
});
