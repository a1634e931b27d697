import type { Kafka, Message, TopicMessages } from 'kafkajs';
import type { Logger } from 'pino';
import { TOPICS, rawTopic, type AlertFormat } from '@soc/contracts';
import { RedeliveryFilter } from '@soc/domain';
import { deadLetterMessage, TransactionalPipeline, type PartitionBatch } from '@soc/kafka';
import type { AppMetrics } from '@soc/observability';
import { AlertPublisher } from '../alert-publisher';
import { admitBatch } from '../ingest-batch';
import { readRawRecord } from './raw-record';

/**
 * Raw SIEM topics (`soc.raw.<format>`) to `soc.alerts.v1`. Alerts, dead letters and the
 * consumed offsets commit in one transaction per batch, so a crash mid-batch neither loses a
 * record nor shows a duplicate to read-committed consumers. Re-delivery memory is kept per
 * input partition (raw records are keyed by tenant) and dropped when the partition moves.
 */
export class RawTopicIngestor {
  private readonly pipeline: TransactionalPipeline;
  private readonly filters = new Map<string, RedeliveryFilter>();
  private readonly formatByTopic: ReadonlyMap<string, AlertFormat>;

  constructor(
    kafka: Kafka,
    formats: readonly AlertFormat[],
    private readonly publisher: AlertPublisher,
    private readonly options: {
      readonly maxRecordBytes: number;
      readonly redeliveryHorizonMs: number;
      readonly groupId?: string;
      /** The topic of a format's raw records; `soc.raw.<format>` unless configured. */
      readonly topicOf?: (format: AlertFormat) => string;
    },
    private readonly metrics: AppMetrics,
    logger: Logger,
    private readonly clock: () => number = Date.now,
  ) {
    this.formatByTopic = new Map(
      formats.map((format) => [(options.topicOf ?? rawTopic)(format), format]),
    );
    this.pipeline = new TransactionalPipeline({
      kafka,
      logger,
      groupId: options.groupId ?? 'soc-ingest-raw',
      topics: [...this.formatByTopic.keys()],
      transactionalIdPrefix: options.groupId ?? 'soc-ingest-raw',
      onPartitionAssigned: async ({ topic, partition }) => {
        this.filters.set(
          `${topic}:${partition}`,
          new RedeliveryFilter(options.redeliveryHorizonMs),
        );
      },
      onPartitionRevoked: async ({ topic, partition }) => {
        this.filters.delete(`${topic}:${partition}`);
      },
      process: (batch) => this.process(batch),
    });
  }

  start(): Promise<void> {
    return this.pipeline.start();
  }

  stop(): Promise<void> {
    return this.pipeline.stop();
  }

  private process(batch: PartitionBatch): TopicMessages[] {
    const format = this.formatByTopic.get(batch.topic) as AlertFormat;
    const filter = this.filters.get(`${batch.topic}:${batch.partition}`) as RedeliveryFilter;
    const now = this.clock();
    const alerts: Message[] = [];
    const deadLetters: Message[] = [];
    this.metrics.messagesIn.inc({ topic: batch.topic }, batch.messages.length);
    for (const message of batch.messages) {
      const source = { topic: batch.topic, partition: batch.partition, offset: message.offset };
      const raw = readRawRecord(message, format, this.options.maxRecordBytes);
      if (!raw.ok) {
        deadLetters.push(deadLetterMessage(message, source, raw, now));
        this.metrics.deadLettered.inc({ reason: raw.field });
        continue;
      }
      const { accepted, results } = admitBatch(
        [{ index: 0, record: raw.record }],
        { tenantId: raw.tenantId, ingestedAt: now, format },
        filter,
      );
      const [result] = results;
      if (result?.status === 'rejected') {
        deadLetters.push(
          deadLetterMessage(message, source, { reason: result.reason, field: result.field }, now),
        );
        this.metrics.deadLettered.inc({ reason: result.field });
      }
      for (const alert of accepted) {
        const traceHeader = message.headers?.traceparent;
        const encoded = this.publisher.toMessage(alert, traceHeader?.toString());
        const oversize = AlertPublisher.oversize(encoded);
        if (oversize === undefined) alerts.push(encoded);
        else
          deadLetters.push(
            deadLetterMessage(message, source, { reason: oversize, field: '(alert)' }, now),
          );
      }
    }
    return [
      { topic: TOPICS.alerts, messages: alerts },
      { topic: TOPICS.alertsDeadLetter, messages: deadLetters },
    ];
  }
}
