import { createLogger } from '@soc/observability';
import { readActionsConfig } from './actions.config';
import { createActionsApp } from './actions.module';

async function main(): Promise<void> {
  const logger = createLogger('actions');
  const config = readActionsConfig();
  const app = await createActionsApp(config, logger);
  await app.listen(config.httpPort, '0.0.0.0');
  logger.info({ port: config.httpPort, groupId: config.groupId }, 'actions running');
}

main().catch((error: unknown) => {
  createLogger('actions').fatal({ err: error }, 'actions failed');
  process.exit(1);
});
