import type { Message, TopicMessages } from 'kafkajs';
import { defer, map, type Observable } from 'rxjs';
import { TOPICS, rawTopic, type AlertFormat } from '@soc/contracts';
import { RedeliveryFilter } from '@soc/domain';
import {
  deadLetterMessage,
  transactionOf,
  type PartitionBatch,
  type PartitionTransaction,
} from '@soc/kafka';
import type { AppMetrics } from '@soc/observability';
import { AlertPublisher } from '../alert-publisher';
import { admitBatch, type AdmittedBatch } from '../ingest-batch';
import { readRawRecord, type RawTenantSource } from './raw-record';

/**
 * Raw SIEM topics (`soc.raw.<format>`) to `soc.alerts.v1`. Alerts, dead letters and the
 * consumed offsets commit in one transaction per batch, so a crash mid-batch neither loses a
 * record nor shows a duplicate to read-committed consumers (see the transactional transport
 * this runs on). Re-delivery memory is kept per input partition (raw records are keyed by
 * tenant): a partition's stream starts with a fresh one, and ends when the partition moves.
 */
export class RawTopicIngestor {
  private readonly formatByTopic: ReadonlyMap<string, AlertFormat>;

  constructor(
    formats: readonly AlertFormat[],
    private readonly publisher: AlertPublisher,
    private readonly options: {
      readonly maxRecordBytes: number;
      readonly redeliveryHorizonMs: number;
      /** Where each raw topic's tenant comes from (see RawTenantSource). */
      readonly tenantSourceOf: (topic: string) => RawTenantSource;
      /** The topic of a format's raw records; `soc.raw.<format>` unless configured. */
      readonly topicOf?: (format: AlertFormat) => string;
      /** The business step; `admitBatch` unless a bench asks for the identity. */
      readonly admit?: (...args: Parameters<typeof admitBatch>) => AdmittedBatch;
    },
    private readonly metrics: AppMetrics,
    private readonly clock: () => number = Date.now,
  ) {
    this.formatByTopic = new Map(
      formats.map((format) => [(options.topicOf ?? rawTopic)(format), format]),
    );
  }

  /** One partition's stream: one transaction per fetched batch. */
  partitionStream(batches: Observable<PartitionBatch>): Observable<PartitionTransaction> {
    return defer(() => {
      const filter = new RedeliveryFilter(this.options.redeliveryHorizonMs);
      return batches.pipe(map((batch) => transactionOf(batch, this.process(batch, filter))));
    });
  }

  private process(batch: PartitionBatch, filter: RedeliveryFilter): TopicMessages[] {
    const format = this.formatByTopic.get(batch.topic) as AlertFormat;
    const rules = {
      format,
      maxBytes: this.options.maxRecordBytes,
      tenant: this.options.tenantSourceOf(batch.topic),
    };
    const now = this.clock();
    const alerts: Message[] = [];
    const deadLetters: Message[] = [];
    this.metrics.messagesIn.inc({ topic: batch.topic }, batch.messages.length);
    for (const message of batch.messages) {
      const source = { topic: batch.topic, partition: batch.partition, offset: message.offset };
      const raw = readRawRecord(message, rules);
      if (!raw.ok) {
        deadLetters.push(deadLetterMessage(message, source, raw, now));
        this.metrics.deadLettered.inc({ reason: raw.field });
        continue;
      }
      const { accepted, results } = (this.options.admit ?? admitBatch)(
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
