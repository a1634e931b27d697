import { EnvReader } from '@soc/config';

export interface EmailConfig {
  readonly kafkaBrokers: readonly string[];
  readonly topicPartitions: number;
  readonly httpPort: number;
  readonly tenantId: string;
  readonly imap: {
    readonly host: string;
    readonly port: number;
    /** `implicit`: TLS from the first byte (993); `starttls`: upgrade on the plain port (143). */
    readonly tls: 'implicit' | 'starttls';
    readonly user: string;
    readonly password: string;
    readonly caFile: string | null;
  };
  readonly mailbox: string;
  readonly processedFolder: string;
  readonly rejectedFolder: string;
  readonly pollIntervalMs: number;
  readonly maxMessageBytes: number;
  readonly rawTopicPrefix: string;
  readonly checkpointTopic: string;
  readonly deadLetterTopic: string;
}

export function readEmailConfig(env: NodeJS.ProcessEnv = process.env): EmailConfig {
  const reader = new EnvReader(env);
  const tls = reader.string('EMAIL_IMAP_TLS', 'implicit');
  const config: EmailConfig = {
    kafkaBrokers: reader.list('KAFKA_BROKERS'),
    topicPartitions: reader.integer('TOPIC_PARTITIONS', 6, { min: 1, max: 1024 }),
    httpPort: reader.integer('EMAIL_HTTP_PORT', 8086, { min: 0, max: 65535 }),
    tenantId: reader.string('EMAIL_TENANT_ID'),
    imap: {
      host: reader.string('EMAIL_IMAP_HOST'),
      port: reader.integer('EMAIL_IMAP_PORT', tls === 'starttls' ? 143 : 993, {
        min: 1,
        max: 65535,
      }),
      tls: tls === 'starttls' ? 'starttls' : 'implicit',
      user: reader.string('EMAIL_IMAP_USER'),
      password: reader.string('EMAIL_IMAP_PASSWORD'),
      caFile: reader.string('EMAIL_IMAP_CA_FILE', '') || null,
    },
    mailbox: reader.string('EMAIL_MAILBOX', 'INBOX'),
    processedFolder: reader.string('EMAIL_PROCESSED_FOLDER', 'Processed'),
    rejectedFolder: reader.string('EMAIL_REJECTED_FOLDER', 'Rejected'),
    pollIntervalMs: reader.durationMs('EMAIL_POLL_INTERVAL', 60_000),
    maxMessageBytes: reader.integer('EMAIL_MAX_MESSAGE_BYTES', 10 * 1024 * 1024, { min: 1024 }),
    rawTopicPrefix: reader.string('EMAIL_RAW_TOPIC_PREFIX', 'soc.raw.'),
    checkpointTopic: reader.string('EMAIL_CHECKPOINT_TOPIC', 'soc.email.checkpoints'),
    deadLetterTopic: reader.string('EMAIL_DLQ_TOPIC', 'soc.email.v1.dlq'),
  };
  const problems =
    tls === 'implicit' || tls === 'starttls'
      ? []
      : [`EMAIL_IMAP_TLS: expected implicit or starttls, got '${tls}'`];
  reader.done();
  if (problems.length > 0) throw new Error(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return config;
}
