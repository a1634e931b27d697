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

/** What the mail writer and both connectors are built from. */
export interface MailDependencies {
  readonly kafka: Kafka;
  readonly config: EmailConfig;
  readonly logger: Logger;
  readonly metrics: AppMetrics;
}

/**
 * What the IMAP and POP3 connectors share: a message's records (or its dead letter) and its
 * checkpoint go out in one Kafka transaction, so a message whose key is in the checkpoint log
 * was produced and only needs moving or deleting. One transactional producer per mailbox: a
 * second instance with the same id fences the first.
 */
export class AlertMailWriter {
  private readonly producer: Producer;
  private readonly checkpoints: CheckpointLog;

  constructor(
    private readonly options: MailDependencies & {
      readonly transactionalId: string;
      /** The dead letters' source header: `imap:INBOX`, `pop3:<user>@<host>`. */
      readonly origin: string;
    },
  ) {
    this.producer = options.kafka.producer({
      transactionalId: options.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    this.checkpoints = new CheckpointLog(options.kafka, options.config.checkpointTopic);
  }

  async start(): Promise<void> {
    await this.prepareTopics();
    await this.producer.connect();
    await this.checkpoints.load();
  }

  async stop(): Promise<void> {
    await this.producer.disconnect();
  }

  produced(key: string): boolean {
    return this.checkpoints.has(key);
  }

  /** Keys in the checkpoint log that start with `prefix` (this mailbox's). */
  producedKeys(prefix: string): string[] {
    return this.checkpoints.keys().filter((key) => key.startsWith(prefix));
  }

  /** Produces the message (or dead-letters it) with its checkpoint; `true` when produced. */
  async write(key: string, size: number, source: Buffer | null): Promise<boolean> {
    const outcome = await this.outcomeOf(size, source, key);
    await this.commit(key, source, outcome);
    return outcome.kind === 'produce';
  }

  /** Tombstones for messages moved or deleted, in one transaction. */
  async forget(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    const transaction = await this.producer.transaction();
    try {
      for (const key of keys) await this.checkpoints.forget(transaction, key);
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
    for (const key of keys) this.checkpoints.markForgotten(key);
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
                [DEAD_LETTER_HEADERS.sourceTopic]: this.options.origin,
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
