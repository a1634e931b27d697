import type { EpochMs } from '@soc/contracts';
import { decayedAt } from './decayed-count';
import { BASELINE_MATURITY_MS, RARITY_MAX_ENTITIES, type RarityBaseline } from './rarity';

/**
 * A host that usually raises fewer alerts than this within the window is quiet there: an
 * alert of it at a given moment is itself unusual, whatever its rule.
 */
export const QUIET_MAX_EXPECTED_ALERTS = 1;

/** How busy the alert's hosts usually are, for the explanation of a quiet host's link. */
export interface QuietHost {
  readonly entityKey: string;
  /** Decayed alerts of the host before this one. */
  readonly alerts: number;
  /** How many of them the host raises within the window, at its usual rate. */
  readonly expectedInWindow: number;
}

/**
 * Event time a constant rate needs to leave `count` decayed alerts after `historyMs` of
 * history: `h` while the history is short against the half-life, at most `halfLife / ln 2`.
 */
const effectiveHistoryMs = (historyMs: number, halfLifeMs: number): number =>
  (halfLifeMs / Math.LN2) * (1 - Math.pow(0.5, historyMs / halfLifeMs));

/**
 * The alert's quiet host, or null: every host among its first entities usually raises fewer
 * than QUIET_MAX_EXPECTED_ALERTS alerts within `windowMs` (its decayed count over the tenant's
 * history, as a rate), judged only once the tenant's baseline has a day of history, so a new
 * tenant's hosts are not all quiet. Of several quiet hosts, the busiest is named.
 */
export function quietHostOf(
  baseline: RarityBaseline,
  {
    entityKeys,
    time,
    windowMs,
  }: { readonly entityKeys: readonly string[]; readonly time: EpochMs; readonly windowMs: number },
): QuietHost | null {
  const historyMs = time - baseline.firstSeen;
  if (!(historyMs >= BASELINE_MATURITY_MS)) return null;
  const spanMs = effectiveHistoryMs(historyMs, baseline.halfLifeMs);
  let named: QuietHost | null = null;
  const entities = Math.min(entityKeys.length, RARITY_MAX_ENTITIES);
  for (let i = 0; i < entities; i += 1) {
    const entityKey = entityKeys[i] as string;
    if (!entityKey.startsWith('host:')) continue;
    const alerts = decayedAt(baseline.entities.get(entityKey), time, baseline.halfLifeMs);
    const expectedInWindow = (alerts * windowMs) / spanMs;
    if (expectedInWindow >= QUIET_MAX_EXPECTED_ALERTS) return null;
    if (named === null || alerts > named.alerts) named = { entityKey, alerts, expectedInWindow };
  }
  return named;
}
