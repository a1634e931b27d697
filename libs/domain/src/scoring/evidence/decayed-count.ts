import type { EpochMs } from '@soc/contracts';

/** A count that halves every half-life of event time, as of `at`. */
export interface DecayedCount {
  value: number;
  at: EpochMs;
}

const decay = (ageMs: number, halfLifeMs: number): number =>
  ageMs <= 0 ? 1 : Math.pow(0.5, ageMs / halfLifeMs);

/** The count's value at `time` (0 for none); a time before `at` reads the value at `at`. */
export const decayedAt = (
  count: DecayedCount | undefined,
  time: EpochMs,
  halfLifeMs: number,
): number => (count === undefined ? 0 : count.value * decay(time - count.at, halfLifeMs));

/**
 * Adds `amount` at `time`, in place. A late addition (before `at`) is decayed to `at`, so the
 * sum does not depend on the order additions arrive in.
 */
export function addDecayed(
  count: DecayedCount,
  time: EpochMs,
  amount: number,
  halfLifeMs: number,
): void {
  if (time >= count.at) {
    count.value = count.value * decay(time - count.at, halfLifeMs) + amount;
    count.at = time;
  } else count.value += amount * decay(count.at - time, halfLifeMs);
}

export const newDecayedCount = (): DecayedCount => ({ value: 0, at: -Infinity });
