import type { AlertSummary } from '@soc/contracts';
import { detectorOf } from './detectors';
import { evidenceOf, type EvidenceTally } from './incident-evidence';
import {
  newRarityBaseline,
  observeFiring,
  observeFirings,
  rarityOf,
  type RarityBaseline,
} from './rarity';
import { noteSeverity, severityVaries, type SeverityRange } from './severity-range';

/**
 * What the correlator learns per tenant from the alerts it has folded, to judge the next
 * one: the rarity baseline and the detectors' severity ranges. It is state of the
 * correlator, updated only from published incident events (alert rows and counted repeats),
 * so replaying the incident log rebuilds it exactly and a restarted correlator scores the
 * same.
 */
export interface TenantBaseline {
  readonly rarity: RarityBaseline;
  readonly severities: Map<string, SeverityRange>;
}

export const newTenantBaseline = (): TenantBaseline => ({
  rarity: newRarityBaseline(),
  severities: new Map(),
});

type BaselineAlert = Pick<
  AlertSummary,
  'observedAt' | 'severity' | 'product' | 'sourceSystem' | 'category'
>;

export interface AlertRow {
  readonly alert: BaselineAlert;
  /** The alert's rule label and distinct entity keys, as correlation derives them. */
  readonly rule: string;
  readonly entityKeys: readonly string[];
}

/** The evidence of an alert row against the baseline before it; reads, never changes. */
export function evidenceOfRow(baseline: TenantBaseline, row: AlertRow): EvidenceTally {
  const { alert, rule, entityKeys } = row;
  const detector = detectorOf(alert);
  const rarity = rarityOf(baseline.rarity, { rule, entityKeys, time: alert.observedAt });
  const evidence = evidenceOf(rarity, { rule, detector });
  return severityVaries(baseline.severities, detector, alert.severity)
    ? { ...evidence, severityVaries: true }
    : evidence;
}

/** Folds an alert row into the baseline, in place. */
export function learnRow(baseline: TenantBaseline, row: AlertRow): void {
  const { alert, rule, entityKeys } = row;
  observeFiring(baseline.rarity, { rule, entityKeys, time: alert.observedAt });
  noteSeverity(baseline.severities, detectorOf(alert), alert.severity);
}

/** Folds counted repeats of a series (same rule, same entities) into the baseline, in place. */
export function learnRepeats(
  baseline: TenantBaseline,
  series: { readonly rule: string; readonly entityKeys: readonly string[] },
  times: readonly number[],
): void {
  observeFirings(baseline.rarity, { rule: series.rule, entityKeys: series.entityKeys, times });
}
