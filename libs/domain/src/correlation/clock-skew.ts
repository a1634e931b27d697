import type { AlertSummary, CanonicalAlert, EpochMs } from '@soc/contracts';

/**
 * The event time correlation uses for an alert: its own, unless the source stamped it more
 * than `maxClockSkewMs` ahead of its arrival (a broken agent clock says 2099), then its
 * arrival time. Event time is never ahead of arrival by more than the skew, so no alert moves
 * a watermark into the future.
 */
export const guardedEventTime = (
  alert: Pick<CanonicalAlert, 'observedAt' | 'ingestedAt'>,
  maxClockSkewMs: number,
): EpochMs =>
  alert.observedAt > alert.ingestedAt + maxClockSkewMs ? alert.ingestedAt : alert.observedAt;

/**
 * The alert as correlation sees it: corrected to its arrival time when its clock is skewed,
 * with the summary saying so (`originalObservedAt`), so the events record the decision and a
 * replay folds the corrected time. An alert within the skew is returned as is.
 */
export function guardClockSkew(
  alert: CanonicalAlert,
  summary: AlertSummary,
  maxClockSkewMs: number,
): { readonly alert: CanonicalAlert; readonly summary: AlertSummary } {
  const observedAt = guardedEventTime(alert, maxClockSkewMs);
  if (observedAt === alert.observedAt) return { alert, summary };
  return {
    alert: { ...alert, observedAt },
    summary: { ...summary, observedAt, originalObservedAt: alert.observedAt },
  };
}
