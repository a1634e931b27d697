import type { Kafka, Message, TopicMessages } from 'kafkajs';
import type { Logger } from 'pino';
import type {
  CanonicalAlert,
  EpochMs,
  FeedbackEvent,
  IncidentEvent,
  IntelEvent,
  IntelVerdictRecorded,
  TenantConfigEvent,
} from '@soc/contracts';
import {
  deadLetterMessage,
  readPartitionToEnd,
  UndecodableRecordError,
  type AvroDecoder,
  type AvroTopicCodec,
  type PartitionBatch,
  type PartitionTransaction,
} from '@soc/kafka';
import type { AppMetrics } from '@soc/observability';
import type { CorrelatorTopics } from './correlator.config';

/** What a partition's correlator is fed, in input order. */
export type PartitionInput =
  | { readonly kind: 'alert'; readonly alert: CanonicalAlert }
  | { readonly kind: 'intel'; readonly event: IntelVerdictRecorded }
  | { readonly kind: 'feedback'; readonly event: FeedbackEvent }
  | { readonly kind: 'tenant-config'; readonly event: TenantConfigEvent };

/** The correlation state of one partition: rebuilt from its own events, fed with alerts and intel. */
export interface PartitionCorrelator {
  /** Folds events already in the incident log into the state (recovery). */
  replay(events: readonly IncidentEvent[]): void;
  /** Decides the incident events for a batch of inputs, in order, and applies them. */
  correlate(inputs: readonly PartitionInput[]): IncidentEvent[];
  /** Decides and applies a wall-clock idle tick at `arrivalTime` (see correlation-stream.ts). */
  idle(arrivalTime: EpochMs): IncidentEvent[];
}

/**
 * One consumed record of the alerts or the intel topic, decoded, or its dead letter when it
 * could not be. `IntelLookupDeferred` ("intel unavailable") changes no score: it is consumed
 * and counted, and the alert has already been correlated without waiting for it.
 */
export type AlertRecord =
  | { readonly offset: string; readonly alert: CanonicalAlert }
  | { readonly offset: string; readonly intel: IntelEvent }
  | { readonly offset: string; readonly feedback: FeedbackEvent }
  | { readonly offset: string; readonly tenantConfig: TenantConfigEvent }
  | { readonly offset: string; readonly deadLetter: Message };

export interface CorrelatorPipelineOptions {
  readonly kafka: Kafka;
  readonly topics: CorrelatorTopics;
  readonly alertCodec: AvroTopicCodec<CanonicalAlert>;
  readonly incidentCodec: AvroTopicCodec<IncidentEvent>;
  readonly intelCodec: AvroTopicCodec<IntelEvent>;
  /** Analyst actions in Avro or JSON (see feedback-decoder.ts). */
  readonly feedbackDecoder: AvroDecoder<FeedbackEvent>;
  readonly tenantConfigCodec: AvroTopicCodec<TenantConfigEvent>;
  readonly newPartitionCorrelator: (partition: number) => PartitionCorrelator;
  readonly metrics: AppMetrics;
  readonly logger: Logger;
  readonly clock?: () => number;
}

/**
 * Alerts (`soc.alerts.v1`) and intel verdicts (`soc.intel.v1`) -> incidents
 * (`soc.incidents.v1`): the steps of a partition's stream (see correlation-stream.ts). The three
 * topics have the same partition count and key (the tenant id), so alerts and intel partition p
 * are correlated by state rebuilt from incidents partition p, which only this partition's
 * transactional producer writes.
 */
export class CorrelatorPipeline {
  constructor(private readonly options: CorrelatorPipelineOptions) {}

  /** A partition's correlator with the state its incident log holds (read committed). */
  async recover(partition: number): Promise<PartitionCorrelator> {
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
    this.options.logger.info(
      { partition, replayed, ms: Date.now() - started },
      'correlation state recovered',
    );
    return correlator;
  }

  /** Decodes a fetched batch; poison becomes a dead letter with the original bytes. */
  async decode(batch: PartitionBatch): Promise<AlertRecord[]> {
    const now = (this.options.clock ?? Date.now)();
    const records: AlertRecord[] = [];
    for (const message of batch.messages) {
      try {
        records.push(await this.decodeRecord(batch.topic, message));
      } catch (error) {
        if (!(error instanceof UndecodableRecordError)) throw error;
        const source = { topic: batch.topic, partition: batch.partition, offset: message.offset };
        const reason = { reason: error.reason, field: error.field };
        records.push({
          offset: message.offset,
          deadLetter: deadLetterMessage(message, source, reason, now),
        });
        this.options.metrics.deadLettered.inc({ reason: 'undecodable' });
      }
    }
    this.options.metrics.messagesIn.inc({ topic: batch.topic }, batch.messages.length);
    return records;
  }

  private async decodeRecord(
    topic: string,
    { offset, value }: { readonly offset: string; readonly value: Buffer | null },
  ): Promise<AlertRecord> {
    const { topics } = this.options;
    if (topic === topics.intel)
      return { offset, intel: await this.options.intelCodec.decode(value) };
    if (topic === topics.feedback)
      return { offset, feedback: await this.options.feedbackDecoder.decode(value) };
    if (topic === topics.tenantConfig)
      return { offset, tenantConfig: await this.options.tenantConfigCodec.decode(value) };
    return { offset, alert: await this.options.alertCodec.decode(value) };
  }

  /** Correlates a micro-batch of records into one transaction's outputs. */
  transaction(
    partition: number,
    correlator: PartitionCorrelator,
    records: readonly AlertRecord[],
  ): PartitionTransaction {
    const inputs: PartitionInput[] = [];
    const deadLetters: Message[] = [];
    for (const record of records) {
      if ('alert' in record) inputs.push({ kind: 'alert', alert: record.alert });
      else if ('deadLetter' in record) deadLetters.push(record.deadLetter);
      else if ('feedback' in record) inputs.push({ kind: 'feedback', event: record.feedback });
      else if ('tenantConfig' in record)
        inputs.push({ kind: 'tenant-config', event: record.tenantConfig });
      else if (record.intel.type === 'IntelVerdictRecorded')
        inputs.push({ kind: 'intel', event: record.intel });
    }
    const events = correlator.correlate(inputs);
    return {
      lastOffset: (records[records.length - 1] as AlertRecord).offset,
      produced: [
        this.incidentMessages(partition, events),
        { topic: this.options.topics.alertsDeadLetter, messages: deadLetters },
      ],
    };
  }

  /**
   * A wall-clock idle tick: the transaction of what it closes, covering no input record, or
   * null when it closes nothing (no empty transaction every tick).
   */
  idleTransaction(
    partition: number,
    correlator: PartitionCorrelator,
    arrivalTime: EpochMs,
  ): PartitionTransaction | null {
    const events = correlator.idle(arrivalTime);
    if (events.length === 0) return null;
    return { lastOffset: null, produced: [this.incidentMessages(partition, events)] };
  }

  private incidentMessages(partition: number, events: readonly IncidentEvent[]): TopicMessages {
    this.options.metrics.messagesOut.inc({ topic: this.options.topics.incidents }, events.length);
    return {
      topic: this.options.topics.incidents,
      // The same partition number as the alert, not a hash of the key: recovery of alerts
      // partition p reads incidents partition p, whatever partitioner the alert's sender used.
      messages: events.map((event) => ({
        partition,
        key: event.partitionKey,
        value: this.options.incidentCodec.encode(event),
        headers: { 'event-type': event.type },
      })),
    };
  }
}
