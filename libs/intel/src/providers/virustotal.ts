import type { IntelIndicatorKind } from '@soc/contracts';
import { notFoundFinding, virusTotalFinding, type Indicator } from '@soc/domain';
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

const MINUTE = 60_000;

/** The v3 path of an indicator: URLs are addressed by their unpadded base64url identifier. */
export function virusTotalPath(indicator: Indicator): string {
  switch (indicator.kind) {
    case 'ip':
      return `/api/v3/ip_addresses/${encodeURIComponent(indicator.value)}`;
    case 'domain':
      return `/api/v3/domains/${encodeURIComponent(indicator.value)}`;
    case 'file_hash':
      return `/api/v3/files/${indicator.value}`;
    case 'url':
      return `/api/v3/urls/${Buffer.from(indicator.value).toString('base64url')}`;
    default: {
      const unreachable: never = indicator.kind;
      return unreachable;
    }
  }
}

/**
 * VirusTotal API v3 (files, IP addresses, domains, URLs), authenticated with `x-apikey`.
 * 200 is mapped by virusTotalFinding; 404 NotFoundError is a definite "unknown"; 429
 * QuotaExceededError and TooManyRequestsError stop the budget for a minute (VirusTotal
 * documents no Retry-After, so one is honoured when sent and a minute assumed otherwise);
 * 401/403 and 5xx are unavailable with the provider's error code in the reason.
 */
export function virusTotalClient(options: ProviderClientOptions): IntelProviderClient {
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    id: 'virustotal',
    supports: (_kind: IntelIndicatorKind) => true,
    async lookup(indicator: Indicator, apiKey: ApiKey): Promise<LookupOutcome> {
      const response = await askProvider(
        'VirusTotal',
        { url: `${base}${virusTotalPath(indicator)}`, headers: { 'x-apikey': apiKey.reveal() } },
        options,
      );
      if ('kind' in response) return response;
      const { status, body, headers } = response;
      if (status === 200) return outcomeOf(virusTotalFinding(body, indicator));
      if (status === 404)
        return { kind: 'found', finding: notFoundFinding('VirusTotal', indicator) };
      const detail = errorDetail(body);
      const reason = httpReason('VirusTotal', status, detail);
      if (status === 429) {
        const now = options.now();
        return unavailable(reason, now + (retryAfterMs(headers, now) ?? MINUTE), true);
      }
      return unavailable(reason);
    },
  };
}
