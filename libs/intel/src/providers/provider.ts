import type { IntelIndicatorKind } from '@soc/contracts';
import type { FindingResult, Indicator, ProviderFinding } from '@soc/domain';
import { fetchJson, ProviderUnreachableError, type JsonResponse } from '../http/fetch-json';
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

/** A 200 answer's finding, or unavailable when the body was not what the provider documents. */
export const outcomeOf = (result: FindingResult): LookupOutcome =>
  result.ok ? { kind: 'found', finding: result.finding } : unavailable(result.reason);

/**
 * One GET to a provider: its answer with any status, or the outcome "unavailable" when no
 * answer came (network error, deadline, oversized body), the reason naming the provider.
 */
export async function askProvider(
  providerName: string,
  request: { readonly url: string; readonly headers: Readonly<Record<string, string>> },
  options: ProviderClientOptions,
): Promise<JsonResponse | LookupOutcome> {
  try {
    return await fetchJson({
      ...request,
      timeoutMs: options.timeoutMs,
      maxBytes: options.maxResponseBytes,
    });
  } catch (error) {
    if (error instanceof ProviderUnreachableError)
      return unavailable(`${providerName} ${error.message}`);
    throw error;
  }
}

/** "HTTP 429 from AbuseIPDB (detail)": the status and the provider's own words for it. */
export const httpReason = (providerName: string, status: number, detail: string): string =>
  `HTTP ${status} from ${providerName}${detail ? ` (${detail})` : ''}`;
