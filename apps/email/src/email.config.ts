import { EnvReader } from '@soc/config';

export type MailProtocol = 'imap' | 'pop3';

/** One mail account: IMAP from EMAIL_IMAP_*, POP3 from EMAIL_POP3_*. */
export interface MailServerConfig {
  readonly host: string;
  readonly port: number;
  /**
   * `implicit`: TLS from the first byte (IMAP 993, POP3 995); `starttls`: upgrade on the plain
   * port (IMAP STARTTLS on 143, POP3 STLS on 110).
   */
  readonly tls: 'implicit' | 'starttls';
  readonly user: string;
  readonly password: string;
  readonly caFile: string | null;
}

export interface EmailConfig {
  readonly kafkaBrokers: readonly string[];
  readonly topicPartitions: number;
  readonly httpPort: number;
  readonly tenantId: string;
  readonly protocol: MailProtocol;
  readonly server: MailServerConfig;
  readonly mailbox: string;
  readonly processedFolder: string;
  readonly rejectedFolder: string;
  /** POP3 has no folders: a processed message is deleted, or left and remembered by UIDL. */
  readonly pop3DeleteProcessed: boolean;
  readonly pollIntervalMs: number;
  readonly maxMessageBytes: number;
  readonly rawTopicPrefix: string;
  readonly checkpointTopic: string;
  readonly deadLetterTopic: string;
}

const DEFAULT_PORTS = {
  imap: { implicit: 993, starttls: 143 },
  pop3: { implicit: 995, starttls: 110 },
} as const;

function readServer(reader: EnvReader, protocol: MailProtocol, tls: 'implicit' | 'starttls') {
  const prefix = `EMAIL_${protocol.toUpperCase()}_`;
  return {
    host: reader.string(`${prefix}HOST`),
    port: reader.integer(`${prefix}PORT`, DEFAULT_PORTS[protocol][tls], { min: 1, max: 65535 }),
    tls,
    user: reader.string(`${prefix}USER`),
    password: reader.string(`${prefix}PASSWORD`),
    caFile: reader.string(`${prefix}CA_FILE`, '') || null,
  };
}

export function readEmailConfig(env: NodeJS.ProcessEnv = process.env): EmailConfig {
  const reader = new EnvReader(env);
  const protocolText = reader.string('EMAIL_PROTOCOL', 'imap');
  const protocol: MailProtocol = protocolText === 'pop3' ? 'pop3' : 'imap';
  const tlsName = `EMAIL_${protocol.toUpperCase()}_TLS`;
  const tlsText = reader.string(tlsName, 'implicit');
  const deleteText = reader.string('EMAIL_POP3_DELETE', 'true');
  const config: EmailConfig = {
    kafkaBrokers: reader.list('KAFKA_BROKERS'),
    topicPartitions: reader.integer('TOPIC_PARTITIONS', 6, { min: 1, max: 1024 }),
    httpPort: reader.integer('EMAIL_HTTP_PORT', 8086, { min: 0, max: 65535 }),
    tenantId: reader.string('EMAIL_TENANT_ID'),
    protocol,
    server: readServer(reader, protocol, tlsText === 'starttls' ? 'starttls' : 'implicit'),
    mailbox: reader.string('EMAIL_MAILBOX', 'INBOX'),
    processedFolder: reader.string('EMAIL_PROCESSED_FOLDER', 'Processed'),
    rejectedFolder: reader.string('EMAIL_REJECTED_FOLDER', 'Rejected'),
    pop3DeleteProcessed: deleteText !== 'false',
    pollIntervalMs: reader.durationMs('EMAIL_POLL_INTERVAL', 60_000),
    maxMessageBytes: reader.integer('EMAIL_MAX_MESSAGE_BYTES', 10 * 1024 * 1024, { min: 1024 }),
    rawTopicPrefix: reader.string('EMAIL_RAW_TOPIC_PREFIX', 'soc.raw.'),
    checkpointTopic: reader.string('EMAIL_CHECKPOINT_TOPIC', 'soc.email.checkpoints'),
    deadLetterTopic: reader.string('EMAIL_DLQ_TOPIC', 'soc.email.v1.dlq'),
  };
  const problems = [
    ...(protocolText === 'imap' || protocolText === 'pop3'
      ? []
      : [`EMAIL_PROTOCOL: expected imap or pop3, got '${protocolText}'`]),
    ...(tlsText === 'implicit' || tlsText === 'starttls'
      ? []
      : [`${tlsName}: expected implicit or starttls, got '${tlsText}'`]),
    ...(deleteText === 'true' || deleteText === 'false'
      ? []
      : [`EMAIL_POP3_DELETE: expected true or false, got '${deleteText}'`]),
  ];
  reader.done();
  if (problems.length > 0) throw new Error(`invalid configuration:\n  ${problems.join('\n  ')}`);
  return config;
}
