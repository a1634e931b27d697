import type { CanonicalAlert, EpochMs } from '@soc/contracts';
import { matchIndicator, type FeedIndex } from './feed-index';
import { extractIndicators } from './indicators';
import {
  asAlertVerdict,
  DEFAULT_VERDICT_TTLS,
  feedMatchVerdict,
  mergeVerdicts,
  type IntelVerdict,
} from './verdicts';

/** The feed verdicts on an alert's indicators, one merged verdict per matched indicator. */
export function feedVerdictsFor(
  alert: Pick<CanonicalAlert, 'entities'>,
  index: FeedIndex,
  at: EpochMs,
): IntelVerdict[] {
  const verdicts: IntelVerdict[] = [];
  for (const indicator of extractIndicators(alert)) {
    const matches = matchIndicator(index, indicator, at).map((match) =>
      feedMatchVerdict({ match, indicator, at, ttls: DEFAULT_VERDICT_TTLS }),
    );
    const merged = mergeVerdicts(matches, at);
    if (merged !== undefined) verdicts.push(merged);
  }
  return verdicts;
}

/**
 * The alert with its local feed matches added to its threat intel, so the scorer sees them
 * like any verdict the source sent. Matching happens at the alert's own event time, so the
 * same alerts and feeds give the same scores on every run.
 */
export function withFeedVerdicts(alert: CanonicalAlert, index: FeedIndex): CanonicalAlert {
  const verdicts = feedVerdictsFor(alert, index, alert.observedAt);
  if (verdicts.length === 0) return alert;
  return { ...alert, threatIntel: [...alert.threatIntel, ...verdicts.map(asAlertVerdict)] };
}
