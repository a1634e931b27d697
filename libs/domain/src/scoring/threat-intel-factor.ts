import type { ThreatIntelVerdictLabel } from '@soc/contracts';

/** The verdict that decides the factor, with the provider's evidence in words. */
export interface DecisiveIntel {
  readonly provider: string;
  readonly indicator: string;
  readonly verdict: ThreatIntelVerdictLabel;
  readonly score: number;
  /** "AbuseIPDB confidence 97 for 203.0.113.7, 412 reports". */
  readonly evidence: string;
}

/**
 * Threat-intel verdicts of an incident's alerts, aggregated. `decisive`, when present, is the
 * strongest verdict (the one `maliciousMax` or `suspiciousMax` came from), so the reason can
 * quote its provider and evidence; without it the reason names the verdict and score only.
 */
export interface ThreatIntelFacts {
  /** Highest score among `malicious` verdicts, null when there is none. */
  readonly maliciousMax: number | null;
  readonly suspiciousMax: number | null;
  readonly benignVerdicts: number;
  readonly unknownVerdicts: number;
  readonly decisive?: DecisiveIntel | null;
}

export interface ThreatIntelFactor {
  /** 0-100 before weighting. */
  readonly raw: number;
  readonly reason: string;
}

const clamp = (value: number): number => Math.min(100, Math.max(0, value));
const round1 = (value: number): number => Math.round(value * 10) / 10;

const NEUTRAL = 50;

function reasonOf(
  intel: ThreatIntelFacts,
  label: 'malicious' | 'suspicious',
  score: number,
): string {
  const decisive = intel.decisive;
  if (decisive !== undefined && decisive !== null && decisive.verdict === label)
    return `${label}: ${decisive.evidence}`;
  return `${label} verdict (score ${score})`;
}

/**
 * The threat-intel factor. A malicious verdict takes it to 75 plus a quarter of the
 * provider's score, a suspicious one to 55 plus a fifth; verdicts that are all benign lower
 * it to 20. Absent evidence is neither good nor bad: no verdict, or only unknown ones, is a
 * neutral 50, and one unknown verdict keeps benign ones from lowering it.
 */
export function threatIntelFactor(intel: ThreatIntelFacts): ThreatIntelFactor {
  if (intel.maliciousMax !== null) {
    return {
      raw: round1(75 + 0.25 * clamp(intel.maliciousMax)),
      reason: reasonOf(intel, 'malicious', intel.maliciousMax),
    };
  }
  if (intel.suspiciousMax !== null) {
    return {
      raw: round1(55 + 0.2 * clamp(intel.suspiciousMax)),
      reason: reasonOf(intel, 'suspicious', intel.suspiciousMax),
    };
  }
  if (intel.benignVerdicts > 0 && intel.unknownVerdicts === 0) {
    const decisive = intel.decisive;
    return {
      raw: 20,
      reason:
        decisive?.verdict === 'benign'
          ? `every threat-intel verdict is benign: ${decisive.evidence}`
          : 'every threat-intel verdict is benign',
    };
  }
  let reason = 'no threat-intel verdict: unknown counts as neutral, not benign';
  if (intel.unknownVerdicts > 0)
    reason =
      intel.benignVerdicts > 0
        ? `${intel.benignVerdicts} benign and ${intel.unknownVerdicts} unknown verdicts: unknown keeps it neutral`
        : `${intel.unknownVerdicts} unknown verdicts: no provider knows the indicators, neutral, not benign`;
  return { raw: NEUTRAL, reason };
}
