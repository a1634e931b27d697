import type { Logger } from 'pino';
import { intelStreamId, lookupDeferred, verdictRecorded } from '@soc/domain';
import {
  retryDelayMs,
  type IntelSettings,
  type PendingLookup,
  type PendingLookups,
  type RemoteLookups,
} from '@soc/intel';
import type { IntelMetrics } from './intel.metrics';
import type { IntelPublisher } from './intel-publisher';

export interface LookupWorkerOptions {
  readonly pending: PendingLookups;
  readonly remote: RemoteLookups;
  readonly settings: IntelSettings;
  readonly publisher: IntelPublisher;
  readonly intelMetrics: IntelMetrics;
  readonly logger: Logger;
  readonly intervalMs: number;
  readonly batch: number;
  /** A claimed lookup returns to the queue after this long if its worker died. */
  readonly leaseMs: number;
  readonly retryBaseMs: number;
  readonly now: () => number;
}

/**
 * Works the durable queue of remote lookups: claims due rows, resolves them concurrently
 * (cache, in-flight sharing, budgets, provider), writes each verdict as IntelVerdictRecorded
 * on the alert's partition, and fails open: a provider that is down, slow or rate-limited
 * gets the lookup rescheduled (its Retry-After, else backoff) and, the first time, an
 * IntelLookupDeferred event saying intel is unavailable. Nothing here touches the alert path.
 */
export class LookupWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: LookupWorkerOptions) {}

  start(): void {
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .catch((err: unknown) => this.options.logger.error({ err }, 'intel lookup round failed'))
        .finally(() => this.schedule());
    }, this.options.intervalMs);
  }

  /** One round: every due lookup (up to the batch size), concurrently. */
  async tick(): Promise<void> {
    const { pending, batch, leaseMs, now } = this.options;
    const claimed = await pending.claimDue(now(), batch, leaseMs);
    await Promise.all(claimed.map((lookup) => this.resolve(lookup)));
  }

  private async resolve(lookup: PendingLookup): Promise<void> {
    const { pending, remote, settings, publisher, intelMetrics, now } = this.options;
    const provider = settings
      .forTenant(lookup.tenantId)
      .providers.find((p) => p.provider === lookup.provider);
    if (provider === undefined) {
      // The tenant stopped using the provider (or its key went away) since the alert came.
      await pending.complete(lookup, now());
      return;
    }
    const streamId = intelStreamId(lookup.provider, lookup.indicator);
    const target = {
      tenantId: lookup.tenantId,
      streamId,
      partition: lookup.partition,
      alertIds: lookup.alertIds,
    };
    try {
      const result = await remote.resolve(provider, lookup.indicator, lookup.attempts);
      if (result.kind === 'verdict') {
        await publisher.publish([
          { ...target, build: (context) => verdictRecorded(context, result.verdict) },
        ]);
        intelMetrics.lookups.inc({
          provider: lookup.provider,
          outcome: result.fromCache ? 'cached' : 'verdict',
        });
        await pending.complete(lookup, now());
        return;
      }
      intelMetrics.lookups.inc({ provider: lookup.provider, outcome: 'deferred' });
      if (lookup.attempts === 0) {
        const deferral = {
          provider: lookup.provider,
          indicator: lookup.indicator,
          reason: result.reason,
          retryAt: result.retryAt,
          at: now(),
        };
        await publisher.publish([
          { ...target, build: (context) => lookupDeferred(context, deferral) },
        ]);
      }
      this.options.logger.info(
        {
          tenant: lookup.tenantId,
          provider: lookup.provider,
          reason: result.reason,
          retryAt: result.retryAt,
        },
        'intel unavailable, retry scheduled',
      );
      await pending.reschedule(lookup, result.retryAt, result.reason);
    } catch (err) {
      this.options.logger.warn(
        { err, tenant: lookup.tenantId, provider: lookup.provider },
        'intel lookup failed, retry scheduled',
      );
      await pending.reschedule(
        lookup,
        now() + retryDelayMs(lookup.attempts, this.options.retryBaseMs),
        String(err),
      );
    }
  }
}
