import type { Message } from 'kafkajs';
import type { AlertFormat, CanonicalAlert } from '@soc/contracts';
import { RedeliveryFilter, type RedeliveryAdmission } from '@soc/domain';
import { AlertPublisher, PublishFailed, type EncodedAlert } from './alert-publisher';
import type { WrittenAlerts } from './alert-log-tail';
import { Deadline } from './deadline';
import type { IngestItem } from './http/ingest-body';
import { admitBatch, type Admitted, type ItemResult } from './ingest-batch';

export interface IngestRequest {
  readonly tenantId: string;
  readonly format?: AlertFormat | undefined;
  readonly sourceSystem?: string | undefined;
  readonly traceparent?: string | undefined;
}

/** Kafka did not acknowledge alerts of the request in time: the sender should retry (HTTP 503). */
export class IngestUnavailable extends Error {}

export interface IngestLimits {
  readonly maxBodyBytes: number;
  readonly maxBatchItems: number;
  readonly redeliveryHorizonMs: number;
  readonly redeliveryMaxBytes: number;
  /** How long a request waits for Kafka (the alert log read up to date, then the publish). */
  readonly publishTimeoutMs: number;
}

/** Which of a publish's alerts Kafka acknowledged, by re-delivery key, and why not the rest. */
interface PublishOutcome {
  readonly delivered: ReadonlySet<string>;
  readonly failure: string | null;
}

/**
 * The HTTP and syslog doors: normalize, drop exact re-deliveries, and publish. Resolves only
 * once Kafka acknowledged every alert the results call accepted; otherwise it throws
 * IngestUnavailable, within `publishTimeoutMs`, and forgets the re-delivery keys of the alerts
 * not written once their publish has failed, so the sender's retry is accepted rather than
 * counted as a duplicate.
 *
 * A re-delivery is an alert the alert log shows written (by any ingest process, before or
 * after a restart: see AlertLogTail), or one this process admitted and has not seen on the log
 * yet. Before admitting, a request waits until the log is read up to its end, so an alert
 * another replica acknowledged before the request arrived is known.
 *
 * A retry that arrives while the first attempt is still publishing is not answered
 * `duplicate` at once: it waits for that publish, and publishes the alert itself when the
 * first attempt failed. A publish outlives the request that gave up on it at its deadline,
 * and a retry waits for it all the same. The flights are published before any wait, so two
 * requests waiting on each other's alerts cannot deadlock.
 */
export class IngestService {
  /** Keys admitted here and not yet seen on the log: in flight, or just written. */
  private readonly redeliveries: RedeliveryFilter;
  /** Re-delivery key -> whether its publish was acknowledged, while it is in flight. */
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private readonly admission: RedeliveryAdmission = {
    admit: (key, now) => !this.written.has(key, now) && this.redeliveries.admit(key, now),
  };

  constructor(
    private readonly publisher: AlertPublisher,
    readonly limits: IngestLimits,
    private readonly written: WrittenAlerts,
    private readonly clock: () => number = Date.now,
  ) {
    this.redeliveries = new RedeliveryFilter({
      horizonMs: limits.redeliveryHorizonMs,
      maxBytes: limits.redeliveryMaxBytes,
    });
    written.onWritten((key) => this.redeliveries.forget(key));
  }

  async ingest(
    items: readonly IngestItem[],
    request: IngestRequest,
  ): Promise<{ readonly results: ItemResult[] }> {
    const deadline = new Deadline(
      this.limits.publishTimeoutMs,
      () => new IngestUnavailable(`Kafka did not answer within ${this.limits.publishTimeoutMs} ms`),
    );
    try {
      await deadline.race(
        this.written.caughtUp().catch((error: unknown) => {
          throw new IngestUnavailable(`reading the alert log failed: ${(error as Error).message}`);
        }),
      );
      const ingestedAt = this.clock();
      const batch = admitBatch(items, { ...request, ingestedAt }, this.admission);
      const results = [...batch.results];
      await this.deliver(batch.admitted, results, { traceparent: request.traceparent, deadline });
      const retried: Admitted[] = [];
      for (const duplicate of batch.duplicates) {
        if (await this.mustRepublish(duplicate.key, ingestedAt, deadline)) retried.push(duplicate);
      }
      for (const item of retried) {
        results[item.position] = acceptedResult(item);
      }
      await this.deliver(retried, results, { traceparent: request.traceparent, deadline });
      return { results };
    } finally {
      deadline.clear();
    }
  }

  /** Dead-letter records of the doors that reject outside a consuming pipeline (syslog). */
  deadLetter(messages: readonly Message[]): Promise<void> {
    return this.publisher.deadLetter(messages);
  }

  /** Publishes admitted alerts; an alert too large to produce becomes a rejected result. */
  private async deliver(
    admitted: readonly Admitted[],
    results: ItemResult[],
    { traceparent, deadline }: { readonly traceparent: string | undefined; deadline: Deadline },
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
    const outcome = await deadline.race(this.publish(sendable, keyOf));
    if (outcome.failure !== null) throw new IngestUnavailable(outcome.failure);
  }

  /**
   * Starts a publish and registers its alerts as in flight until Kafka answers, however long
   * that takes; then the keys of the alerts not written are forgotten.
   */
  private publish(
    sendable: readonly EncodedAlert[],
    keyOf: ReadonlyMap<CanonicalAlert, string>,
  ): Promise<PublishOutcome> {
    const keys = [...keyOf.values()];
    const outcome = this.publisher.publish(sendable).then(
      (): PublishOutcome => ({ delivered: new Set(keys), failure: null }),
      (error: unknown): PublishOutcome => ({
        delivered: new Set(
          error instanceof PublishFailed ? error.delivered.map((a) => keyOf.get(a) as string) : [],
        ),
        failure: (error as Error).message,
      }),
    );
    const settled = outcome.then((result) => {
      for (const key of keys) {
        if (!result.delivered.has(key)) this.redeliveries.forget(key);
        this.inFlight.delete(key);
      }
      return result;
    });
    for (const key of keys)
      this.inFlight.set(
        key,
        settled.then((result) => result.delivered.has(key)),
      );
    return settled;
  }

  /**
   * Waits out the publish of an alert this request found already admitted. True when that
   * publish failed and this request has now admitted the alert itself. A publish may have
   * failed (and its keys been forgotten) before this request looked for it: an alert neither
   * in flight nor remembered is admitted here.
   */
  private async mustRepublish(key: string, now: number, deadline: Deadline): Promise<boolean> {
    for (;;) {
      const flight = this.inFlight.get(key);
      if (flight === undefined) return this.admission.admit(key, now);
      if (await deadline.race(flight)) return false;
    }
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
