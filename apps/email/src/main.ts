import { createLogger } from '@soc/observability';
import { readEmailConfig } from './email.config';
import { createEmailApp } from './email.module';

async function main(): Promise<void> {
  const logger = createLogger('email');
  const config = readEmailConfig();
  const app = await createEmailApp(config, logger);
  await app.listen(config.httpPort, '0.0.0.0');
  logger.info(
    { port: config.httpPort, mailbox: config.mailbox, tenantId: config.tenantId },
    'email connector running',
  );
}

main().catch((error: unknown) => {
  createLogger('email').fatal({ err: error }, 'email connector failed');
  process.exit(1);
});
