import { asRecord } from './feeds/feed-entry';
import type { Indicator } from './indicators';
import type { ProviderFinding } from './verdicts';

const count = (value: unknown): number =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : 0;

const clampScore = (value: number): number => Math.max(0, Math.min(100, Math.round(value)));

/** What a provider's answer said, or why it could not be read (a changed or broken body). */
export type FindingResult =
  | { readonly ok: true; readonly finding: ProviderFinding }
  | { readonly ok: false; readonly reason: string };

/**
 * A VirusTotal v3 object (`GET /ip_addresses/{ip}`, `/domains/{d}`, `/files/{hash}`,
 * `/urls/{id}`) as a verdict, from `data.attributes.last_analysis_stats` and `reputation`:
 * two or more engines saying malicious is malicious (score 60, +8 per further engine); one
 * engine malicious, any suspicious, or a negative community reputation is suspicious; only
 * harmless and undetected engines with a reputation of 0 or more is benign; no engine with an
 * opinion is unknown.
 */
export function virusTotalFinding(body: unknown, indicator: Indicator): FindingResult {
  const attributes = asRecord(asRecord(asRecord(body)?.['data'])?.['attributes']);
  const stats = asRecord(attributes?.['last_analysis_stats']);
  if (attributes === undefined || stats === undefined)
    return { ok: false, reason: 'VirusTotal answer has no data.attributes.last_analysis_stats' };
  const malicious = count(stats['malicious']);
  const suspicious = count(stats['suspicious']);
  const harmless = count(stats['harmless']);
  const engines = malicious + suspicious + harmless + count(stats['undetected']);
  const reputation = typeof attributes['reputation'] === 'number' ? attributes['reputation'] : 0;
  const words =
    `VirusTotal: ${malicious} of ${engines} engines malicious` +
    (suspicious > 0 ? `, ${suspicious} suspicious` : '') +
    `, reputation ${reputation} for ${indicator.value}`;
  if (malicious >= 2)
    return {
      ok: true,
      finding: {
        verdict: 'malicious',
        score: clampScore(60 + 8 * (malicious - 2)),
        evidence: words,
      },
    };
  if (malicious === 1 || suspicious > 0 || reputation < 0) {
    const score = clampScore(
      30 + 10 * (malicious + suspicious) + Math.min(20, Math.max(0, -reputation)),
    );
    return { ok: true, finding: { verdict: 'suspicious', score, evidence: words } };
  }
  if (harmless > 0) return { ok: true, finding: { verdict: 'benign', score: 0, evidence: words } };
  return { ok: true, finding: { verdict: 'unknown', score: 0, evidence: words } };
}

/** A provider that has never seen the indicator (VirusTotal's 404 NotFoundError). */
export const notFoundFinding = (providerName: string, indicator: Indicator): ProviderFinding => ({
  verdict: 'unknown',
  score: 0,
  evidence: `${providerName} has no record of ${indicator.value}`,
});

/**
 * An AbuseIPDB v2 `check` answer as a verdict: `abuseConfidenceScore` is the score; 75 or
 * more is malicious, 25 or more suspicious; an address on AbuseIPDB's whitelist is benign;
 * anything else (few or old reports) is unknown, not benign.
 */
export function abuseIpdbFinding(body: unknown, indicator: Indicator): FindingResult {
  const data = asRecord(asRecord(body)?.['data']);
  const confidence = data?.['abuseConfidenceScore'];
  if (data === undefined || typeof confidence !== 'number')
    return { ok: false, reason: 'AbuseIPDB answer has no data.abuseConfidenceScore' };
  const reports = count(data['totalReports']);
  const users = count(data['numDistinctUsers']);
  const score = clampScore(confidence);
  const evidence =
    `AbuseIPDB confidence ${score} for ${indicator.value}, ${reports} report${reports === 1 ? '' : 's'}` +
    (users > 0 ? ` from ${users} user${users === 1 ? '' : 's'}` : '') +
    (data['isWhitelisted'] === true ? ', whitelisted' : '');
  if (data['isWhitelisted'] === true)
    return { ok: true, finding: { verdict: 'benign', score, evidence } };
  if (score >= 75) return { ok: true, finding: { verdict: 'malicious', score, evidence } };
  if (score >= 25) return { ok: true, finding: { verdict: 'suspicious', score, evidence } };
  return { ok: true, finding: { verdict: 'unknown', score, evidence } };
}
