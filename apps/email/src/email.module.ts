import {
  Inject,
  Injectable,
  type INestApplication,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { createKafka } from '@soc/kafka';
import { AppMetrics, createServiceApp, HealthRegistry, type Logger } from '@soc/observability';
import type { EmailConfig } from './email.config';
import { MailboxConnector } from './mailbox-connector';
import { Pop3Connector } from './pop3-connector';

const EMAIL_CONFIG = Symbol('EmailConfig');
const EMAIL_LOGGER = Symbol('EmailLogger');

@Injectable()
class EmailService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly connector: MailboxConnector | Pop3Connector;

  constructor(
    @Inject(EMAIL_CONFIG) config: EmailConfig,
    @Inject(EMAIL_LOGGER) private readonly logger: Logger,
    @Inject(AppMetrics) metrics: AppMetrics,
    @Inject(HealthRegistry) health: HealthRegistry,
  ) {
    const kafka = createKafka(config.kafkaBrokers, 'soc-email', logger);
    const options = { kafka, config, logger, metrics };
    this.connector =
      config.protocol === 'pop3' ? new Pop3Connector(options) : new MailboxConnector(options);
    health.register('mailbox', () => this.connector.health());
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.connector.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connector
      .stop()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'connector stop failed'));
  }
}

/** The e-mail connector app (mailbox loop, /health, /metrics); the caller listens. */
export async function createEmailApp(
  config: EmailConfig,
  logger: Logger,
): Promise<INestApplication> {
  return createServiceApp({
    service: 'email',
    providers: [
      { provide: EMAIL_CONFIG, useValue: config },
      { provide: EMAIL_LOGGER, useValue: logger },
      EmailService,
    ],
  });
}
