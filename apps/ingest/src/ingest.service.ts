import type { Message } from 'kafkajs';
import type { AlertFormat, CanonicalAlert } from '@soc/contracts';
import { RedeliveryFilter } from '@soc/domain';
import { AlertPublisher, PublishFailed, type EncodedAlert } from './alert-publisher';
import type { IngestItem } from './http/ingest-body';
import { admitBatch, type Admitted, type ItemResult } from './ingest-batch';

export interface IngestRequest {
  readonly tenantId: string;
  readonly format?: AlertFormat | undefined;
  readonly sourceSystem?: string | undefined;
  readonly traceparent?: string | undefined;
}

/** Kafka did not acknowledge alerts of the request: the sender should retry (HTTP 503). */
export class IngestUnavailable extends Error {}

/**
 * The HTTP and syslog doors: normalize, drop exact re-deliveries, and publish. Resolves only
 * once Kafka acknowledged every alert the results call accepted; otherwise it throws
 * IngestUnavailable and forgets the re-delivery keys of the alerts not written, so the
 * sender's retry is accepted rather than counted as a duplicate.
 *
 * A retry that arrives while the first attempt is still publishing is not answered
 * `duplicate` at once: it waits for that publish, and publishes the alert itself when the
 * first attempt failed. The flights are published before any wait, so two requests waiting
 * on each other's alerts cannot deadlock.
 */
export class IngestService {
  private readonly redeliveries: RedeliveryFilter;
  /** Re-delivery key -> whether its publish was acknowledged, while it is in flight. */
  private readonly inFlight = new Map<string, Promise<boolean>>();

  constructor(
    private readonly publisher: AlertPublisher,
    readonly limits: {
      readonly maxBodyBytes: number;
      readonly maxBatchItems: number;
      readonly redeliveryHorizonMs: number;
    },
    private readonly clock: () => number = Date.now,
  ) {
    this.redeliveries = new RedeliveryFilter(limits.redeliveryHorizonMs);
  }

  async ingest(
    items: readonly IngestItem[],
    request: IngestRequest,
  ): Promise<{ readonly results: ItemResult[] }> {
    const ingestedAt = this.clock();
    const batch = admitBatch(items, { ...request, ingestedAt }, this.redeliveries);
    const results = [...batch.results];
    await this.deliver(batch.admitted, results, request.traceparent);
    const retried: Admitted[] = [];
    for (const duplicate of batch.duplicates) {
      if (await this.mustRepublish(duplicate.key, ingestedAt)) retried.push(duplicate);
    }
    for (const item of retried) {
      results[item.position] = acceptedResult(item);
    }
    await this.deliver(retried, results, request.traceparent);
    return { results };
  }

  /** Dead-letter records of the doors that reject outside a consuming pipeline (syslog). */
  deadLetter(messages: readonly Message[]): Promise<void> {
    return this.publisher.deadLetter(messages);
  }

  get redeliveriesCounted(): number {
    return this.redeliveries.redeliveriesCounted;
  }

  /** Publishes admitted alerts; an alert too large to produce becomes a rejected result. */
  private async deliver(
    admitted: readonly Admitted[],
    results: ItemResult[],
    traceparent: string | undefined,
  ): Promise<void> {
    if (admitted.length === 0) return;
    const sendable: EncodedAlert[] = [];
    const keyOf = new Map<CanonicalAlert, string>();
    for (const item of admitted) {
      const message = this.publisher.toMessage(item.alert, traceparent);
      const oversize = AlertPublisher.oversize(message);
      if (oversize !== undefined) {
        this.redeliveries.forget(item.key);
        results[item.position] = rejectedResult(item, oversize);
        continue;
      }
      sendable.push({ alert: item.alert, message });
      keyOf.set(item.alert, item.key);
    }
    let settle!: (delivered: ReadonlySet<string>) => void;
    const settled = new Promise<ReadonlySet<string>>((resolve) => (settle = resolve));
    for (const key of keyOf.values())
      this.inFlight.set(
        key,
        settled.then((delivered) => delivered.has(key)),
      );
    try {
      await this.publisher.publish(sendable);
      settle(new Set(keyOf.values()));
    } catch (error) {
      const delivered = new Set(
        error instanceof PublishFailed ? error.delivered.map((a) => keyOf.get(a) as string) : [],
      );
      for (const key of keyOf.values()) if (!delivered.has(key)) this.redeliveries.forget(key);
      settle(delivered);
      throw new IngestUnavailable((error as Error).message);
    } finally {
      for (const key of keyOf.values()) this.inFlight.delete(key);
    }
  }

  /**
   * Waits out the publish of an alert this request found already admitted. True when that
   * publish failed and this request has now admitted the alert itself.
   */
  private async mustRepublish(key: string, now: number): Promise<boolean> {
    for (let flight = this.inFlight.get(key); flight !== undefined;) {
      if (await flight) return false;
      if (this.redeliveries.admit(key, now)) return true;
      flight = this.inFlight.get(key);
    }
    return false;
  }
}

function acceptedResult(item: Admitted): ItemResult {
  return {
    index: item.index,
    status: 'accepted',
    alertId: item.alert.alertId,
    format: item.alert.format,
  };
}

function rejectedResult(item: Admitted, reason: string): ItemResult {
  return {
    index: item.index,
    status: 'rejected',
    field: '(alert)',
    reason,
    format: item.alert.format,
  };
}
