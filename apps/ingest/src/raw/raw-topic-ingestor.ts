import type { Message, TopicMessages } from 'kafkajs';
import { defer, finalize, map, type Observable } from 'rxjs';
import { TOPICS, rawTopic, type AlertFormat } from '@soc/contracts';
import { RedeliveryFilter, type RedeliveryAdmission } from '@soc/domain';
import {
  deadLetterMessage,
  transactionOf,
  type PartitionBatch,
  type PartitionTransaction,
} from '@soc/kafka';
import type { AppMetrics } from '@soc/observability';
import type { WrittenAlerts } from '../alert-log-tail';
import { AlertPublisher } from '../alert-publisher';
import { admitBatch, type AdmittedBatch } from '../ingest-batch';
import { readRawRecord, type RawTenantSource } from './raw-record';

/**
 * Raw SIEM topics (`soc.raw.<format>`) to `soc.alerts.v1`. Alerts, dead letters and the
 * consumed offsets commit in one transaction per batch, so a crash mid-batch neither loses a
 * record nor shows a duplicate to read-committed consumers (see the transactional transport
 * this runs on). A re-delivery is an alert the alert log shows written (AlertLogTail: by any
 * ingest process, before or after a restart), or one of the partition stream's own alerts not
 * on the log yet (its open transaction's): that memory is the stream's, so an aborted
 * transaction's alerts are not taken as written when the stream starts again.
 */
export class RawTopicIngestor {
  private readonly formatByTopic: ReadonlyMap<string, AlertFormat>;

  constructor(
    formats: readonly AlertFormat[],
    private readonly publisher: AlertPublisher,
    private readonly written: WrittenAlerts,
    private readonly options: {
      readonly maxRecordBytes: number;
      readonly redeliveryHorizonMs: number;
      readonly redeliveryMaxBytes: number;
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
      const own = new RedeliveryFilter({
        horizonMs: this.options.redeliveryHorizonMs,
        maxBytes: this.options.redeliveryMaxBytes,
      });
      const stopForgetting = this.written.onWritten((key) => own.forget(key));
      const admission: RedeliveryAdmission = {
        admit: (key, now) => !this.written.has(key, now) && own.admit(key, now),
      };
      return batches.pipe(
        map((batch) => transactionOf(batch, this.process(batch, admission))),
        finalize(stopForgetting),
      );
    });
  }

  private process(batch: PartitionBatch, filter: RedeliveryAdmission): TopicMessages[] {
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
