import { createLogger } from '@soc/observability';
import { readCorrelatorConfig } from './correlator.config';
import { startCorrelatorApp } from './correlator.module';

async function bootstrap(): Promise<void> {
  const logger = createLogger('correlator');
  const config = readCorrelatorConfig();
  await startCorrelatorApp({ config, logger, host: '0.0.0.0' });
  logger.info({ port: config.httpPort, groupId: config.groupId }, 'correlator running');
}

bootstrap().catch((error: unknown) => {
  createLogger('correlator').fatal({ err: error }, 'correlator failed to start');
  process.exit(1);
});
