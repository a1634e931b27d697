import { abuseIpdbFinding, type Indicator } from '@soc/domain';
import { retryAfterMs } from '../http/fetch-json';
import type { ApiKey } from '../settings/api-key';
import {
  askProvider,
  errorDetail,
  httpReason,
  outcomeOf,
  unavailable,
  type IntelProviderClient,
  type LookupOutcome,
  type ProviderClientOptions,
} from './provider';

/** How far back AbuseIPDB counts reports: 90 days, as its own documentation's example asks. */
export const ABUSEIPDB_MAX_AGE_DAYS = 90;

/**
 * When AbuseIPDB lets us ask again after a 429: Retry-After (seconds), else X-RateLimit-Reset
 * (epoch seconds), else an hour.
 */
function notBefore(headers: Headers, now: number): number {
  const after = retryAfterMs(headers, now);
  if (after !== undefined) return now + after;
  const reset = Number(headers.get('x-ratelimit-reset'));
  return Number.isFinite(reset) && reset > 0 ? reset * 1000 : now + 3_600_000;
}

/**
 * AbuseIPDB API v2 `check` (IP addresses only), authenticated with the `Key` header. 200 is
 * mapped by abuseIpdbFinding; 422 (an address it will not check) is a definite unknown; 429
 * stops the budget until its Retry-After; anything else is unavailable with the detail.
 */
export function abuseIpdbClient(options: ProviderClientOptions): IntelProviderClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    id: 'abuseipdb',
    supports: (kind) => kind === 'ip',
    async lookup(indicator: Indicator, apiKey: ApiKey): Promise<LookupOutcome> {
      const query = new URLSearchParams({
        ipAddress: indicator.value,
        maxAgeInDays: String(ABUSEIPDB_MAX_AGE_DAYS),
      });
      const response = await askProvider(
        'AbuseIPDB',
        { url: `${base}/api/v2/check?${query.toString()}`, headers: { Key: apiKey.reveal() } },
        options,
      );
      if ('kind' in response) return response;
      const { status, body, headers } = response;
      if (status === 200) return outcomeOf(abuseIpdbFinding(body, indicator));
      const detail = errorDetail(body);
      if (status === 422) {
        const evidence = `AbuseIPDB does not check ${indicator.value}${detail ? `: ${detail}` : ''}`;
        return { kind: 'found', finding: { verdict: 'unknown', score: 0, evidence } };
      }
      const reason = httpReason('AbuseIPDB', status, detail);
      if (status === 429) return unavailable(reason, notBefore(headers, options.now()), true);
      return unavailable(reason);
    },
  };
}
