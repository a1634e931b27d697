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

export const EMPTY_TALLY: IncidentTally = {
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
};

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

/** Both tallies together: sums add, maxima take the larger, masks unite. */
export const addTallies = (a: IncidentTally, b: IncidentTally): IncidentTally => ({
  rows: a.rows + b.rows,
  alertCount: a.alertCount + b.alertCount,
  severityMax: Math.max(a.severityMax, b.severityMax),
  severitySum: a.severitySum + b.severitySum,
  confidenceSum: a.confidenceSum + b.confidenceSum,
  confidenceCount: a.confidenceCount + b.confidenceCount,
  tacticMask: a.tacticMask | b.tacticMask,
  intelMalicious: Math.max(a.intelMalicious, b.intelMalicious),
  intelSuspicious: Math.max(a.intelSuspicious, b.intelSuspicious),
  intelBenign: a.intelBenign + b.intelBenign,
  intelUnknown: a.intelUnknown + b.intelUnknown,
});

/** The tally with `repeats` more counted repeats (rows unchanged). */
export const withRepeats = (tally: IncidentTally, repeats: number): IncidentTally =>
  repeats === 0 ? tally : { ...tally, alertCount: tally.alertCount + repeats };

/** Scoring's view of the tally's intel verdicts. */
export const intelOf = (tally: IncidentTally): IntelFacts => ({
  maliciousMax: tally.intelMalicious < 0 ? null : tally.intelMalicious,
  suspiciousMax: tally.intelSuspicious < 0 ? null : tally.intelSuspicious,
  benignVerdicts: tally.intelBenign,
  unknownVerdicts: tally.intelUnknown,
});
