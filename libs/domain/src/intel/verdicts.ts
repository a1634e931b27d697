import type {
  EpochMs,
  IntelIndicatorKind,
  ThreatIntelVerdict,
  ThreatIntelVerdictLabel,
} from '@soc/contracts';
import type { FeedMatch } from './feed-index';
import type { Indicator } from './indicators';

/** One provider's verdict on one indicator, with its evidence in words and its lifetime. */
export interface IntelVerdict {
  readonly provider: string;
  readonly kind: IntelIndicatorKind;
  readonly indicator: string;
  readonly verdict: ThreatIntelVerdictLabel;
  /** 0-100: how strongly the provider believes the indicator is malicious. */
  readonly score: number;
  readonly evidence: string;
  readonly fetchedAt: EpochMs;
  readonly expiresAt: EpochMs;
}

/** What a provider said, before the cache policy gives it a lifetime. */
export type ProviderFinding = Pick<IntelVerdict, 'verdict' | 'score' | 'evidence'>;

/** How long a verdict of each kind is reused before it is looked up again. */
export type VerdictTtls = { readonly [V in ThreatIntelVerdictLabel]: number };

const HOUR = 3_600_000;

/**
 * A malicious verdict is rechecked daily (infrastructure gets cleaned and reassigned), a
 * suspicious one twice as often, a benign one weekly; "unknown" (the provider has no record)
 * after six hours, because a new indicator is exactly the one that gets reported soon.
 */
export const DEFAULT_VERDICT_TTLS: VerdictTtls = {
  malicious: 24 * HOUR,
  suspicious: 12 * HOUR,
  benign: 7 * 24 * HOUR,
  unknown: 6 * HOUR,
};

export function stampVerdict(options: {
  readonly provider: string;
  readonly indicator: Indicator;
  readonly finding: ProviderFinding;
  readonly fetchedAt: EpochMs;
  readonly ttls: VerdictTtls;
}): IntelVerdict {
  const { provider, indicator, finding, fetchedAt, ttls } = options;
  return {
    provider,
    kind: indicator.kind,
    indicator: indicator.value,
    ...finding,
    fetchedAt,
    expiresAt: fetchedAt + ttls[finding.verdict],
  };
}

export const FEED_PROVIDER_PREFIX = 'feed:';

/** A feed match as a verdict; a feed entry lives as long as the feed lists it, so TTLs apply. */
export function feedMatchVerdict(options: {
  readonly match: FeedMatch;
  readonly indicator: Indicator;
  readonly at: EpochMs;
  readonly ttls: VerdictTtls;
}): IntelVerdict {
  const { match, indicator, at, ttls } = options;
  const { entry } = match;
  const listed =
    entry.value === indicator.value ? indicator.value : `${indicator.value} (in ${entry.value})`;
  const evidence =
    `feed ${match.feed} lists ${listed}` + (entry.label === null ? '' : `: ${entry.label}`);
  return stampVerdict({
    provider: `${FEED_PROVIDER_PREFIX}${match.feed}`,
    indicator,
    finding: { verdict: entry.verdict, score: entry.score, evidence },
    fetchedAt: at,
    ttls,
  });
}

const RANK: Readonly<Record<ThreatIntelVerdictLabel, number>> = {
  malicious: 3,
  suspicious: 2,
  benign: 1,
  unknown: 0,
};

/** Orders verdicts strongest first: malicious over suspicious over benign over unknown, then by score. */
export const compareVerdicts = (
  a: Pick<IntelVerdict, 'verdict' | 'score'>,
  b: Pick<IntelVerdict, 'verdict' | 'score'>,
): number => RANK[b.verdict] - RANK[a.verdict] || b.score - a.score;

/**
 * The verdicts on one indicator merged to one: the strongest wins (a single malicious
 * verdict is not outvoted by benign ones: providers see different things), with the
 * providers that agree named in its evidence. Unknown only when no provider knows more.
 * Expired verdicts (`expiresAt <= at`) are left out.
 */
export function mergeVerdicts(
  verdicts: readonly IntelVerdict[],
  at: EpochMs,
): IntelVerdict | undefined {
  const live = verdicts.filter((verdict) => verdict.expiresAt > at).sort(compareVerdicts);
  const strongest = live[0];
  if (strongest === undefined) return undefined;
  const agreeing = live.slice(1).filter((verdict) => verdict.verdict === strongest.verdict);
  if (agreeing.length === 0) return strongest;
  const others = agreeing.map((verdict) => providerName(verdict.provider)).join(', ');
  return {
    ...strongest,
    evidence: `${strongest.evidence}; also ${strongest.verdict} per ${others}`,
  };
}

const PROVIDER_NAMES: Readonly<Record<string, string>> = {
  virustotal: 'VirusTotal',
  abuseipdb: 'AbuseIPDB',
};

/** The provider as people write it: VirusTotal, AbuseIPDB, feed <name>. */
export function providerName(provider: string): string {
  if (provider.startsWith(FEED_PROVIDER_PREFIX))
    return `feed ${provider.slice(FEED_PROVIDER_PREFIX.length)}`;
  return PROVIDER_NAMES[provider] ?? provider;
}

/** The verdict as the canonical alert carries threat intel, for scoring an alert offline. */
export const asAlertVerdict = (verdict: IntelVerdict): ThreatIntelVerdict => ({
  indicator: verdict.indicator,
  indicatorType: verdict.kind,
  source: verdict.provider,
  verdict: verdict.verdict,
  score: verdict.score,
});
