import type { Kafka, Message, TopicMessages } from 'kafkajs';
import type { Logger } from 'pino';
import type { CanonicalAlert, IncidentEvent } from '@soc/contracts';
import {
  deadLetterMessage,
  readPartitionToEnd,
  TransactionalPipeline,
  UndecodableRecordError,
  type AvroTopicCodec,
  type PartitionBatch,
} from '@soc/kafka';
import type { AppMetrics } from '@soc/observability';
import type { CorrelatorTopics } from './correlator.config';

/** The correlation state of one partition: rebuilt from its own events, fed with alerts. */
export interface PartitionCorrelator {
  /** Folds events already in the incident log into the state (recovery). */
  replay(events: readonly IncidentEvent[]): void;
  /** Decides the incident events for a batch of alerts, in order, and applies them. */
  correlate(alerts: readonly CanonicalAlert[]): IncidentEvent[];
}

export interface CorrelatorPipelineOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly topics: CorrelatorTopics;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly alertCodec: AvroTopicCodec<CanonicalAlert>;
  readonly incidentCodec: AvroTopicCodec<IncidentEvent>;
  readonly newPartitionCorrelator: (partition: number) => PartitionCorrelator;
  readonly metrics: AppMetrics;
  readonly logger: Logger;
  readonly clock?: () => number;
}

/**
 * Alerts (`soc.alerts.v1`) -> incidents (`soc.incidents.v1`), exactly once. Both topics have
 * the same partition count and key (the tenant id), so alerts partition p is correlated by
 * state rebuilt from incidents partition p, which only this partition's transactional
 * producer writes.
 */
export class CorrelatorPipeline {
  private readonly pipeline: TransactionalPipeline;
  private readonly correlators = new Map<number, PartitionCorrelator>();

  constructor(private readonly options: CorrelatorPipelineOptions) {
    this.pipeline = new TransactionalPipeline({
      kafka: options.kafka,
      logger: options.logger,
      groupId: options.groupId,
      topics: [options.topics.alerts],
      transactionalIdPrefix: options.groupId,
      consumer: {
        maxBytesPerPartition: 2 * 1024 * 1024,
        ...(options.sessionTimeoutMs !== undefined
          ? { sessionTimeout: options.sessionTimeoutMs }
          : {}),
        ...(options.heartbeatIntervalMs !== undefined
          ? { heartbeatInterval: options.heartbeatIntervalMs }
          : {}),
      },
      onPartitionAssigned: ({ partition }) => this.recover(partition),
      onPartitionRevoked: async ({ partition }) => {
        this.correlators.delete(partition);
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

  /** Throws once the consumer has crashed without restarting (a bug): the health check. */
  assertRunning(): void {
    this.pipeline.assertRunning();
  }

  private async recover(partition: number): Promise<void> {
    const started = Date.now();
    const correlator = this.options.newPartitionCorrelator(partition);
    let replayed = 0;
    await readPartitionToEnd(
      this.options.kafka,
      this.options.topics.incidents,
      partition,
      async (messages) => {
        const events: IncidentEvent[] = [];
        for (const message of messages)
          events.push(await this.options.incidentCodec.decode(message.value));
        correlator.replay(events);
        replayed += events.length;
      },
    );
    this.correlators.set(partition, correlator);
    this.options.logger.info(
      { partition, replayed, ms: Date.now() - started },
      'correlation state recovered',
    );
  }

  private async process(batch: PartitionBatch): Promise<TopicMessages[]> {
    const correlator = this.correlators.get(batch.partition);
    if (!correlator)
      throw new Error(`partition ${batch.partition} was not recovered before its first batch`);
    const now = (this.options.clock ?? Date.now)();
    const alerts: CanonicalAlert[] = [];
    const deadLetters: Message[] = [];
    for (const message of batch.messages) {
      try {
        alerts.push(await this.options.alertCodec.decode(message.value));
      } catch (error) {
        if (!(error instanceof UndecodableRecordError)) throw error;
        const source = { topic: batch.topic, partition: batch.partition, offset: message.offset };
        deadLetters.push(
          deadLetterMessage(message, source, { reason: error.reason, field: error.field }, now),
        );
        this.options.metrics.deadLettered.inc({ reason: 'undecodable' });
      }
    }
    this.options.metrics.messagesIn.inc({ topic: batch.topic }, batch.messages.length);
    const events = correlator.correlate(alerts);
    this.options.metrics.messagesOut.inc({ topic: this.options.topics.incidents }, events.length);
    return [
      {
        topic: this.options.topics.incidents,
        // The same partition number as the alert, not a hash of the key: recovery of alerts
        // partition p reads incidents partition p, whatever partitioner the alert's sender used.
        messages: events.map((event) => ({
          partition: batch.partition,
          key: event.partitionKey,
          value: this.options.incidentCodec.encode(event),
          headers: { 'event-type': event.type },
        })),
      },
      { topic: this.options.topics.alertsDeadLetter, messages: deadLetters },
    ];
  }
}
