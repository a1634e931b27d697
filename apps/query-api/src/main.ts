import { createLogger } from '@soc/observability';
import { readQueryApiConfig } from './query-api.config';
import { createQueryApiApp } from './query-api.module';

async function bootstrap(): Promise<void> {
  const logger = createLogger('query-api');
  const config = readQueryApiConfig();
  const app = await createQueryApiApp(config, logger);
  await app.listen(config.httpPort, '0.0.0.0');
  logger.info({ port: config.httpPort }, 'query API running: /api/v1, /docs, /dashboard');
}

bootstrap().catch((error: unknown) => {
  createLogger('query-api').fatal({ err: error }, 'query API failed to start');
  process.exit(1);
});
