import { readFileSync } from 'node:fs';
import { ImapFlow } from 'imapflow';
import type { Kafka, Message, Producer } from 'kafkajs';
import { simpleParser } from 'mailparser';
import { ALERT_FORMATS, DEAD_LETTER_HEADERS } from '@soc/contracts';
import { ensureTopics } from '@soc/kafka';
import type { AppMetrics, Logger } from '@soc/observability';
import { CheckpointLog } from './checkpoint-log';
import type { EmailConfig } from './email.config';
import { extractRecords, type AlertMail } from './extract-records';

export const EMAIL_HEADERS = {
  tenant: 'x-tenant-id',
  messageId: 'x-email-message-id',
  key: 'x-email-key',
  origin: 'x-email-origin',
} as const;

type Outcome =
  | {
      readonly kind: 'produce';
      readonly messageId: string | null;
      readonly messages: Map<string, Message[]>;
      readonly count: number;
    }
  | { readonly kind: 'reject'; readonly messageId: string | null; readonly reason: string };

/**
 * Reads alert e-mails from one IMAP mailbox into the `soc.raw.<format>` topics, exactly once:
 * a message's records and its checkpoint commit in one Kafka transaction, and only then is the
 * message moved out of the mailbox. A crash before the commit leaves nothing produced and the
 * message in place; a crash after it leaves a checkpoint, so the restarted connector moves the
 * message without producing it again. Waits for new mail with IDLE where the server has it,
 * and polls every EMAIL_POLL_INTERVAL in any case.
 */
export class MailboxConnector {
  private readonly producer: Producer;
  private readonly checkpoints: CheckpointLog;
  private client: ImapFlow | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private lastError: Error | null = null;

  constructor(
    private readonly options: {
      readonly kafka: Kafka;
      readonly config: EmailConfig;
      readonly logger: Logger;
      readonly metrics: AppMetrics;
    },
  ) {
    const { imap, mailbox } = options.config;
    // One writer per mailbox: a second instance with the same id fences the first.
    this.producer = options.kafka.producer({
      transactionalId: `soc-email:${imap.user}@${imap.host}/${mailbox}`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    this.checkpoints = new CheckpointLog(options.kafka, options.config.checkpointTopic);
  }

  health(): void {
    if (!this.running) throw new Error('connector not running');
    if (this.lastError) throw new Error(`last pass failed: ${this.lastError.message}`);
  }

  async start(): Promise<void> {
    await this.prepareTopics();
    await this.producer.connect();
    await this.checkpoints.load();
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.producer.disconnect();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const client = await this.connected();
        await this.drainMailbox(client);
        this.lastError = null;
        await this.waitForMail(client);
      } catch (error) {
        this.lastError = error instanceof Error ? error : new Error(String(error));
        this.options.logger.warn({ err: error }, 'mailbox pass failed; reconnecting');
        await this.client?.logout().catch(() => undefined);
        this.client = null;
        await this.sleep(Math.min(this.options.config.pollIntervalMs, 5_000));
      }
    }
    await this.client?.logout().catch(() => undefined);
  }

  private async connected(): Promise<ImapFlow> {
    if (this.client?.usable) return this.client;
    const { imap, mailbox, processedFolder, rejectedFolder } = this.options.config;
    const client = new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: imap.tls === 'implicit',
      doSTARTTLS: imap.tls === 'starttls' ? true : undefined,
      auth: { user: imap.user, pass: imap.password },
      tls: imap.caFile ? { ca: readFileSync(imap.caFile) } : {},
      logger: false,
    });
    client.on('exists', () => this.wake?.());
    client.on('error', (error: Error) =>
      this.options.logger.warn({ err: error }, 'IMAP connection error'),
    );
    await client.connect();
    for (const folder of [processedFolder, rejectedFolder]) {
      await client.mailboxCreate(folder).catch(() => undefined); // exists already
    }
    await client.mailboxOpen(mailbox);
    this.options.logger.info(
      { mailbox, idle: client.capabilities.has('IDLE') },
      client.capabilities.has('IDLE') ? 'waiting for mail with IDLE' : 'no IDLE: polling',
    );
    this.client = client;
    return client;
  }

  private async drainMailbox(client: ImapFlow): Promise<void> {
    const uids = (await client.search({ all: true }, { uid: true })) || [];
    const uidValidity = String(client.mailbox ? client.mailbox.uidValidity : 0n);
    for (const uid of uids) {
      if (!this.running) return;
      await this.handleMessage(client, uid, uidValidity);
    }
  }

  private async handleMessage(client: ImapFlow, uid: number, uidValidity: string): Promise<void> {
    const { imap, mailbox, processedFolder, rejectedFolder } = this.options.config;
    const key = `${imap.user}@${imap.host}/${mailbox}/${uidValidity}/${uid}`;
    let target = processedFolder;
    if (!this.checkpoints.has(key)) {
      const fetched = await client.fetchOne(
        String(uid),
        { size: true, source: true },
        { uid: true },
      );
      if (!fetched) return; // expunged meanwhile
      const outcome = await this.outcomeOf(fetched.size ?? 0, fetched.source ?? null, key);
      target = outcome.kind === 'produce' ? processedFolder : rejectedFolder;
      await this.commit(key, fetched.source ?? null, outcome);
    }
    await client.messageMove(String(uid), target, { uid: true });
    const transaction = await this.producer.transaction();
    await this.checkpoints.forget(transaction, key);
    await transaction.commit();
    this.checkpoints.markForgotten(key);
  }

  private async outcomeOf(size: number, source: Buffer | null, key: string): Promise<Outcome> {
    const { config } = this.options;
    if (size > config.maxMessageBytes || !source)
      return {
        kind: 'reject',
        messageId: null,
        reason: `message of ${size} bytes exceeds EMAIL_MAX_MESSAGE_BYTES (${config.maxMessageBytes})`,
      };
    const parsed = await simpleParser(source, { skipImageLinks: true });
    const mail: AlertMail = {
      messageId: parsed.messageId ?? null,
      subject: parsed.subject ?? '',
      from: parsed.from?.text ?? null,
      date: parsed.date ?? null,
      text: parsed.text ?? '',
      attachments: parsed.attachments.map((a) => ({
        filename: a.filename ?? null,
        contentType: a.contentType,
        content: a.content,
      })),
    };
    const { records, truncated } = extractRecords(mail);
    if (truncated)
      return {
        kind: 'reject',
        messageId: mail.messageId,
        reason: `more than ${records.length} alert records in one message`,
      };
    const messages = new Map<string, Message[]>();
    for (const record of records) {
      const topic = `${config.rawTopicPrefix}${record.format}`;
      messages.set(topic, [
        ...(messages.get(topic) ?? []),
        {
          key: config.tenantId,
          value: record.value,
          headers: {
            [EMAIL_HEADERS.tenant]: config.tenantId,
            [EMAIL_HEADERS.key]: key,
            [EMAIL_HEADERS.origin]: record.origin,
            ...(mail.messageId ? { [EMAIL_HEADERS.messageId]: mail.messageId } : {}),
          },
        },
      ]);
    }
    return { kind: 'produce', messageId: mail.messageId, messages, count: records.length };
  }

  private async commit(key: string, source: Buffer | null, outcome: Outcome): Promise<void> {
    const { config, metrics, logger } = this.options;
    const transaction = await this.producer.transaction();
    try {
      if (outcome.kind === 'produce') {
        for (const [topic, messages] of outcome.messages)
          await transaction.send({ topic, messages });
      } else {
        await transaction.send({
          topic: config.deadLetterTopic,
          messages: [
            {
              key: config.tenantId,
              value: source && source.length <= config.maxMessageBytes ? source : null,
              headers: {
                [DEAD_LETTER_HEADERS.reason]: outcome.reason,
                [DEAD_LETTER_HEADERS.sourceTopic]: `imap:${config.mailbox}`,
                [DEAD_LETTER_HEADERS.failedAt]: new Date().toISOString(),
                [EMAIL_HEADERS.key]: key,
              },
            },
          ],
        });
      }
      await this.checkpoints.record(transaction, key, {
        messageId: outcome.messageId,
        records: outcome.kind === 'produce' ? outcome.count : 0,
        outcome: outcome.kind,
      });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
    this.checkpoints.markProduced(key);
    if (outcome.kind === 'produce') {
      for (const [topic, messages] of outcome.messages)
        metrics.messagesOut.inc({ topic }, messages.length);
      logger.info({ key, records: outcome.count }, 'alert e-mail produced');
    } else {
      metrics.deadLettered.inc({ reason: 'email' });
      logger.warn({ key, reason: outcome.reason }, 'alert e-mail dead-lettered');
    }
  }

  /** Until the server announces mail (IDLE's EXISTS) or the poll interval passes. */
  private async waitForMail(client: ImapFlow): Promise<void> {
    if (!this.running) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.options.config.pollIntervalMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
      // Without IDLE, imapflow sends NOOPs; an EXISTS they bring wakes us as well.
      if (!client.idling && client.capabilities.has('IDLE')) void client.idle().catch(() => done());
    });
    this.wake = null;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private async prepareTopics(): Promise<void> {
    const { config, kafka } = this.options;
    const admin = kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [
        ...ALERT_FORMATS.map((format) => ({
          topic: `${config.rawTopicPrefix}${format}`,
          numPartitions: config.topicPartitions,
        })),
        {
          topic: config.checkpointTopic,
          numPartitions: 1,
          config: { 'cleanup.policy': 'compact' },
        },
        { topic: config.deadLetterTopic, numPartitions: 1 },
      ]);
    } finally {
      await admin.disconnect();
    }
  }
}
