import {
  indicatorKey,
  stampVerdict,
  type Indicator,
  type IntelVerdict,
  type VerdictTtls,
} from '@soc/domain';
import type { IntelProviderClient } from '../providers/provider';
import type { TenantProvider } from '../settings/intel-settings';
import type { BudgetStore } from '../store/budget-store';
import type { VerdictCache } from '../store/verdict-cache';
import { InFlight } from './in-flight';

export type RemoteResult =
  | { readonly kind: 'verdict'; readonly verdict: IntelVerdict; readonly fromCache: boolean }
  | { readonly kind: 'deferred'; readonly reason: string; readonly retryAt: number };

const MAX_BACKOFF_MS = 3_600_000;

/** When to try a failed lookup again: the base (30 s by default), doubling per attempt, at most an hour. */
export const retryDelayMs = (attempts: number, baseMs: number): number =>
  Math.min(MAX_BACKOFF_MS, baseMs * 2 ** attempts);

export interface RemoteLookupsOptions {
  readonly cache: VerdictCache;
  readonly budgets: BudgetStore;
  readonly clients: readonly IntelProviderClient[];
  readonly ttls: VerdictTtls;
  /** First retry delay after a failure; doubles per attempt. */
  readonly retryBaseMs: number;
  readonly now: () => number;
}

/**
 * One remote lookup, cheapest first: a fresh cached verdict; else the same lookup already
 * running in this process; else a request, if the API key's and the tenant's budgets both
 * allow it. A provider's answer is stamped with its TTL and cached; a provider that is down
 * or rate-limited gives `deferred` with the time to retry (its own Retry-After when it sent
 * one, which also stops the key's budget until then).
 */
export class RemoteLookups {
  private readonly inFlight = new InFlight<RemoteResult>();
  private readonly clients: ReadonlyMap<string, IntelProviderClient>;

  constructor(private readonly options: RemoteLookupsOptions) {
    this.clients = new Map(options.clients.map((client) => [client.id, client]));
  }

  supports(provider: string, indicator: Indicator): boolean {
    return this.clients.get(provider)?.supports(indicator.kind) ?? false;
  }

  async resolve(
    provider: TenantProvider,
    indicator: Indicator,
    attempts: number,
  ): Promise<RemoteResult> {
    const cached = await this.options.cache.fresh(provider.provider, indicator, this.options.now());
    if (cached !== undefined) return { kind: 'verdict', verdict: cached, fromCache: true };
    const key = `${provider.provider}:${indicatorKey(indicator)}`;
    return this.inFlight.run(key, () => this.request(provider, indicator, attempts));
  }

  private async request(
    provider: TenantProvider,
    indicator: Indicator,
    attempts: number,
  ): Promise<RemoteResult> {
    const client = this.clients.get(provider.provider);
    if (client === undefined) throw new Error(`no client for provider ${provider.provider}`);
    const { now } = this.options;
    const grant = await this.options.budgets.take(provider.budgets, now());
    if (!grant.granted)
      return {
        kind: 'deferred',
        reason: `${provider.provider} budget: ${grant.reason}`,
        retryAt: grant.retryAt,
      };
    const outcome = await client.lookup(indicator, provider.apiKey);
    if (outcome.kind === 'found') {
      const verdict = stampVerdict({
        provider: provider.provider,
        indicator,
        finding: outcome.finding,
        fetchedAt: now(),
        ttls: this.options.ttls,
      });
      await this.options.cache.put(verdict);
      return { kind: 'verdict', verdict, fromCache: false };
    }
    const keyScope = provider.budgets[0];
    if (outcome.rateLimited && outcome.retryNotBefore !== null && keyScope !== undefined)
      await this.options.budgets.block(keyScope, outcome.retryNotBefore, now());
    const retryAt = Math.max(
      outcome.retryNotBefore ?? 0,
      now() + retryDelayMs(attempts, this.options.retryBaseMs),
    );
    return { kind: 'deferred', reason: outcome.reason, retryAt };
  }
}
