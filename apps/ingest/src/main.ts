import { createLogger } from '@soc/observability';
import { readIngestConfig } from './ingest.config';
import { createIngestApp } from './ingest.module';

async function bootstrap(): Promise<void> {
  const logger = createLogger('ingest');
  const config = readIngestConfig();
  // abortOnError: false, so a failing provider reaches the fatal log below.
  const app = await createIngestApp({ config, logger, abortOnError: false });
  app.enableShutdownHooks();
  await app.listen(config.httpPort, '0.0.0.0');
  logger.info({ port: config.httpPort, rawFormats: config.rawFormats }, 'ingest listening');
}

bootstrap().catch((error: unknown) => {
  createLogger('ingest').fatal({ err: error }, 'ingest failed to start');
  process.exit(1);
});
