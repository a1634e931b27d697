import type { AlertSummary } from '@soc/contracts';
import { addAttackStages, type IntelFacts } from '../scoring';

/**
 * The running sums of an incident's alert rows that scoring reads: the one fold both the
 * decider (what an incident would be with one more alert, or merged) and `evolveCorrelation`
 * (what it is) use, so a score can never drift from the state.
 */
export interface IncidentTally {
  /** Alert rows (first occurrences): IncidentOpened's alert and AlertAttached. */
  readonly rows: number;
  /** Rows plus counted repeats. */
  readonly alertCount: number;
  readonly severityMax: number;
  /** Over rows. */
  readonly severitySum: number;
  readonly confidenceSum: number;
  readonly confidenceCount: number;
  /** ATT&CK stages seen, as a mask over ATTACK_STAGES. */
  readonly tacticMask: number;
  /** Highest malicious / suspicious intel score; -1 for none. */
  readonly intelMalicious: number;
  readonly intelSuspicious: number;
  readonly intelBenign: number;
  readonly intelUnknown: number;
}

type TalliedAlert = Pick<AlertSummary, 'severity' | 'confidence' | 'tactics' | 'threatIntel'>;

/** The tally of one alert row. */
export function tallyOf(alert: TalliedAlert): IncidentTally {
  let intelMalicious = -1;
  let intelSuspicious = -1;
  let intelBenign = 0;
  let intelUnknown = 0;
  for (const verdict of alert.threatIntel) {
    if (verdict.verdict === 'malicious') intelMalicious = Math.max(intelMalicious, verdict.score);
    else if (verdict.verdict === 'suspicious')
      intelSuspicious = Math.max(intelSuspicious, verdict.score);
    else if (verdict.verdict === 'benign') intelBenign += 1;
    else intelUnknown += 1;
  }
  return {
    rows: 1,
    alertCount: 1,
    severityMax: alert.severity,
    severitySum: alert.severity,
    confidenceSum: alert.confidence ?? 0,
    confidenceCount: alert.confidence === null ? 0 : 1,
    tacticMask: addAttackStages(0, alert.tactics),
    intelMalicious,
    intelSuspicious,
    intelBenign,
    intelUnknown,
  };
}

/** The tally an incident's state owns: `evolveCorrelation` adds to it in place. */
export type RunningTally = { -readonly [K in keyof IncidentTally]: IncidentTally[K] };

/** An empty tally: no rows, no intel score (-1). */
export const runningTally = (): RunningTally => ({
  rows: 0,
  alertCount: 0,
  severityMax: 0,
  severitySum: 0,
  confidenceSum: 0,
  confidenceCount: 0,
  tacticMask: 0,
  intelMalicious: -1,
  intelSuspicious: -1,
  intelBenign: 0,
  intelUnknown: 0,
});

/**
 * Adds `tally` into `sum`, in place: sums add, maxima take the larger, masks unite. The one
 * add rule, for the state's running tallies and the decider's what-if alike.
 */
export function addInto(sum: RunningTally, tally: IncidentTally): void {
  sum.rows += tally.rows;
  sum.alertCount += tally.alertCount;
  sum.severityMax = Math.max(sum.severityMax, tally.severityMax);
  sum.severitySum += tally.severitySum;
  sum.confidenceSum += tally.confidenceSum;
  sum.confidenceCount += tally.confidenceCount;
  sum.tacticMask |= tally.tacticMask;
  sum.intelMalicious = Math.max(sum.intelMalicious, tally.intelMalicious);
  sum.intelSuspicious = Math.max(sum.intelSuspicious, tally.intelSuspicious);
  sum.intelBenign += tally.intelBenign;
  sum.intelUnknown += tally.intelUnknown;
}

/** Scoring's view of the tally's intel verdicts. */
export const intelOf = (tally: IncidentTally): IntelFacts => ({
  maliciousMax: tally.intelMalicious < 0 ? null : tally.intelMalicious,
  suspiciousMax: tally.intelSuspicious < 0 ? null : tally.intelSuspicious,
  benignVerdicts: tally.intelBenign,
  unknownVerdicts: tally.intelUnknown,
});
