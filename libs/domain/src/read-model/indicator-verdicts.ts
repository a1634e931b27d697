import type { IntelVerdictAppliedData, ThreatIntelVerdictLabel } from '@soc/contracts';

/** What the timeline stores of an IntelVerdictApplied (apply-event.ts): its type and details. */
export interface VerdictTimelineEntry {
  readonly type: string;
  readonly details: unknown;
}

export interface ProviderVerdict {
  readonly provider: string;
  readonly verdict: ThreatIntelVerdictLabel;
  readonly score: number;
  readonly evidence: string;
  readonly fetchedAt: string;
  readonly expiresAt: string;
}

export interface IndicatorVerdicts {
  readonly indicator: string;
  readonly kind: IntelVerdictAppliedData['kind'];
  /** The latest verdict of each provider, strongest first. */
  readonly verdicts: readonly ProviderVerdict[];
}

type Applied = Omit<IntelVerdictAppliedData, 'incidentId'>;

const isApplied = (details: unknown): details is Applied => {
  const d = details as Partial<Applied> | null;
  return (
    typeof d === 'object' &&
    d !== null &&
    typeof d.provider === 'string' &&
    typeof d.indicator === 'string' &&
    typeof d.fetchedAt === 'number'
  );
};

const STRENGTH: Readonly<Record<ThreatIntelVerdictLabel, number>> = {
  malicious: 3,
  suspicious: 2,
  benign: 1,
  unknown: 0,
};

/**
 * Each indicator's verdicts on an incident, from its timeline: the latest `fetchedAt` per
 * provider and indicator wins, as in the correlator, so a redelivered or older verdict shows
 * once. Indicators in first-applied order.
 */
export function indicatorVerdicts(timeline: readonly VerdictTimelineEntry[]): IndicatorVerdicts[] {
  const byIndicator = new Map<string, { kind: Applied['kind']; latest: Map<string, Applied> }>();
  for (const entry of timeline) {
    if (entry.type !== 'IntelVerdictApplied' || !isApplied(entry.details)) continue;
    const applied = entry.details;
    const key = `${applied.kind}:${applied.indicator}`;
    let indicator = byIndicator.get(key);
    if (indicator === undefined) {
      indicator = { kind: applied.kind, latest: new Map() };
      byIndicator.set(key, indicator);
    }
    const held = indicator.latest.get(applied.provider);
    if (held === undefined || held.fetchedAt < applied.fetchedAt)
      indicator.latest.set(applied.provider, applied);
  }
  return [...byIndicator.values()].map(({ kind, latest }) => {
    const verdicts = [...latest.values()]
      .sort((a, b) => STRENGTH[b.verdict] - STRENGTH[a.verdict] || b.score - a.score)
      .map((v) => ({
        provider: v.provider,
        verdict: v.verdict,
        score: v.score,
        evidence: v.evidence,
        fetchedAt: new Date(v.fetchedAt).toISOString(),
        expiresAt: new Date(v.expiresAt).toISOString(),
      }));
    return { indicator: (latest.values().next().value as Applied).indicator, kind, verdicts };
  });
}
