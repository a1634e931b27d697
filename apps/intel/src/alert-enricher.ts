import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { CanonicalAlert } from '@soc/contracts';
import {
  DEFAULT_VERDICT_TTLS,
  extractIndicators,
  feedMatchVerdict,
  intelStreamId,
  matchIndicator,
  neverSendReason,
  verdictRecorded,
  type Indicator,
  type IntelVerdict,
} from '@soc/domain';
import type {
  FeedRegistry,
  IntelSettings,
  PendingLookups,
  RemoteLookups,
  VerdictCache,
} from '@soc/intel';
import { UndecodableRecordError, type AvroTopicCodec } from '@soc/kafka';
import type { AppMetrics } from '@soc/observability';
import type { IntelMetrics } from './intel.metrics';
import type { IntelPublisher, OutgoingIntel } from './intel-publisher';

export interface AlertEnricherOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly alertsTopic: string;
  readonly alertCodec: AvroTopicCodec<CanonicalAlert>;
  readonly settings: IntelSettings;
  readonly feeds: FeedRegistry;
  readonly cache: VerdictCache;
  readonly pending: PendingLookups;
  readonly remote: RemoteLookups;
  readonly publisher: IntelPublisher;
  readonly metrics: AppMetrics;
  readonly intelMetrics: IntelMetrics;
  readonly logger: Logger;
  readonly now: () => number;
}

const verdictEvent = (
  tenantId: string,
  partition: number,
  alertIds: readonly string[],
  verdict: IntelVerdict,
): OutgoingIntel => ({
  tenantId,
  partition,
  alertIds,
  streamId: intelStreamId(verdict.provider, { kind: verdict.kind, value: verdict.indicator }),
  build: (context) => verdictRecorded(context, verdict),
});

/**
 * Reads soc.alerts.v1 in its own consumer group, beside the correlator, which keeps taking
 * alerts directly: enrichment never sits in the alert path. Per alert: local feed matches
 * and fresh cached verdicts become events at once (the fast path); every other remote
 * lookup is written to the durable pending queue for the lookup worker. Offsets are
 * committed after the batch's events are sent and its lookups stored, so nothing accepted
 * is lost; a redelivered batch can repeat events, which carry their own sequence.
 */
export class AlertEnricher {
  private consumer: Consumer | undefined;
  private crashed: Error | undefined;

  constructor(private readonly options: AlertEnricherOptions) {}

  async start(): Promise<void> {
    const { kafka, groupId, alertsTopic } = this.options;
    const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 100 });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.crashed = payload.error;
    });
    await consumer.connect();
    await consumer.subscribe({ topic: alertsTopic, fromBeginning: true });
    this.consumer = consumer;
    await consumer.run({ autoCommit: false, eachBatch: (payload) => this.handleBatch(payload) });
  }

  assertRunning(): void {
    if (this.consumer === undefined) throw new Error('alert consumer not started');
    if (this.crashed !== undefined) throw this.crashed;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }

  private async handleBatch({ batch, resolveOffset, heartbeat }: EachBatchPayload): Promise<void> {
    const outgoing: OutgoingIntel[] = [];
    for (const message of batch.messages) {
      const alert = await this.decode(message.value, batch.partition, message.offset);
      if (alert !== undefined) outgoing.push(...(await this.enrich(alert, batch.partition)));
    }
    await this.options.publisher.publish(outgoing);
    this.options.metrics.messagesIn.inc({ topic: batch.topic }, batch.messages.length);
    const last = batch.messages[batch.messages.length - 1];
    if (last !== undefined) {
      resolveOffset(last.offset);
      const next = (BigInt(last.offset) + 1n).toString();
      await this.consumer?.commitOffsets([
        { topic: batch.topic, partition: batch.partition, offset: next },
      ]);
    }
    await heartbeat();
  }

  private async decode(
    value: Buffer | null,
    partition: number,
    offset: string,
  ): Promise<CanonicalAlert | undefined> {
    try {
      return await this.options.alertCodec.decode(value);
    } catch (error) {
      if (!(error instanceof UndecodableRecordError)) throw error;
      // The correlator dead-letters poison alerts; enrichment has nothing to add to them.
      this.options.intelMetrics.undecodable.inc();
      this.options.logger.warn(
        { partition, offset, reason: error.reason },
        'undecodable alert skipped',
      );
      return undefined;
    }
  }

  private async enrich(alert: CanonicalAlert, partition: number): Promise<OutgoingIntel[]> {
    const { now, feeds, intelMetrics } = this.options;
    const at = now();
    const tenant = this.options.settings.forTenant(alert.tenantId);
    const outgoing: OutgoingIntel[] = [];
    const alertIds = [alert.alertId];
    for (const indicator of extractIndicators(alert)) {
      for (const match of matchIndicator(feeds.current, indicator, at)) {
        intelMetrics.feedMatches.inc({ feed: match.feed });
        const verdict = feedMatchVerdict({ match, indicator, at, ttls: DEFAULT_VERDICT_TTLS });
        outgoing.push(verdictEvent(alert.tenantId, partition, alertIds, verdict));
      }
      const reason = neverSendReason(indicator, tenant.neverSend);
      for (const provider of tenant.providers) {
        if (!this.options.remote.supports(provider.provider, indicator)) continue;
        if (reason !== null) {
          intelMetrics.lookups.inc({ provider: provider.provider, outcome: 'never_sent' });
          continue;
        }
        const queued = await this.remoteOrQueue({
          alert,
          partition,
          indicator,
          provider: provider.provider,
          at,
        });
        if (queued !== undefined) outgoing.push(queued);
      }
    }
    return outgoing;
  }

  /** A fresh cached verdict as an event now, or the lookup queued for the worker. */
  private async remoteOrQueue(request: {
    alert: CanonicalAlert;
    partition: number;
    indicator: Indicator;
    provider: string;
    at: number;
  }): Promise<OutgoingIntel | undefined> {
    const { alert, partition, indicator, provider, at } = request;
    const cached = await this.options.cache.fresh(provider, indicator, at);
    if (cached !== undefined) {
      this.options.intelMetrics.lookups.inc({ provider, outcome: 'cached' });
      return verdictEvent(alert.tenantId, partition, [alert.alertId], cached);
    }
    await this.options.pending.enqueue(
      { tenantId: alert.tenantId, provider, indicator, alertIds: [alert.alertId], partition },
      at,
    );
    this.options.intelMetrics.lookups.inc({ provider, outcome: 'queued' });
    return undefined;
  }
}
