import type { IntelIndicatorKind } from '@soc/contracts';
import type { Indicator, ProviderFinding } from '@soc/domain';
import type { ApiKey } from '../settings/api-key';

/** What one lookup came to: the provider's finding, or why there is none now and when to retry. */
export type LookupOutcome =
  | { readonly kind: 'found'; readonly finding: ProviderFinding }
  | {
      readonly kind: 'unavailable';
      readonly reason: string;
      /** The provider's own "not before" (Retry-After, X-RateLimit-Reset), as epoch ms. */
      readonly retryNotBefore: number | null;
      /** It said we are over our rate: the budget stops until retryNotBefore. */
      readonly rateLimited: boolean;
    };

export interface IntelProviderClient {
  /** `virustotal`, `abuseipdb`: the provider id in verdicts, budgets and the cache. */
  readonly id: string;
  readonly supports: (kind: IntelIndicatorKind) => boolean;
  readonly lookup: (indicator: Indicator, apiKey: ApiKey) => Promise<LookupOutcome>;
}

export interface ProviderClientOptions {
  /** Scheme, host and port; tests point it at a local server. */
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly now: () => number;
}

export const unavailable = (
  reason: string,
  retryNotBefore: number | null = null,
  rateLimited = false,
): LookupOutcome => ({ kind: 'unavailable', reason, retryNotBefore, rateLimited });

export const errorDetail = (body: unknown): string => {
  const record = body as
    { error?: { code?: unknown; message?: unknown }; errors?: { detail?: unknown }[] } | undefined;
  const vt = record?.error;
  if (vt !== undefined)
    return [vt.code, vt.message].filter((part) => typeof part === 'string').join(': ');
  const detail = record?.errors?.[0]?.detail;
  return typeof detail === 'string' ? detail : '';
};
