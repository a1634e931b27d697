import type { AlertSummary } from '@soc/contracts';

/**
 * The detector behind an alert: its product and the category the product files it under.
 * A SIEM that forwards other tools' alerts names the tool in the category (Wazuh's rule
 * groups say `suricata` or `anomaly` for AMiner), so host, network and anomaly detectors stay
 * apart even when one manager sends them all.
 */
export const detectorOf = (
  alert: Pick<AlertSummary, 'product' | 'sourceSystem' | 'category'>,
): string => `${alert.product ?? alert.sourceSystem}/${alert.category ?? '-'}`;

/** At most this many detectors are told apart per incident: agreement saturates long before. */
export const MAX_DETECTORS = 8;

/** The union of two short, sorted detector lists, at most MAX_DETECTORS. */
export function unionDetectors(a: readonly string[], b: readonly string[]): readonly string[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const union = [...new Set([...a, ...b])].sort();
  return union.length > MAX_DETECTORS ? union.slice(0, MAX_DETECTORS) : union;
}
