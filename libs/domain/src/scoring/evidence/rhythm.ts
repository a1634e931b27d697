import type { EpochMs } from '@soc/contracts';

/**
 * The rhythm of one rule on one entity: when it last fired and a running (exponentially
 * weighted) mean and mean absolute deviation of the gaps between firings. Constant size.
 */
export interface Rhythm {
  lastSeen: EpochMs;
  meanGapMs: number;
  gapDeviationMs: number;
  gaps: number;
}

/** How fast the running mean follows new gaps: about the last five count. */
const GAP_SMOOTHING = 0.2;
/** A schedule: at least this many gaps, each within this share of the mean, ... */
export const ROUTINE_MIN_GAPS = 3;
export const ROUTINE_MAX_DEVIATION = 0.25;
/** ... at least this far apart (a burst of a scan is not a schedule). */
export const ROUTINE_MIN_GAP_MS = 10 * 60_000;

export const newRhythm = (): Rhythm => ({
  lastSeen: -Infinity,
  meanGapMs: 0,
  gapDeviationMs: 0,
  gaps: 0,
});

/**
 * Does a firing at `time` keep the rhythm (the rule fires here on a schedule: a cron job, a
 * daily update)? Read before `noteFiring`.
 */
export function keepsRhythm(rhythm: Rhythm | undefined, time: EpochMs): boolean {
  if (rhythm === undefined || rhythm.gaps < ROUTINE_MIN_GAPS) return false;
  if (rhythm.meanGapMs < ROUTINE_MIN_GAP_MS) return false;
  const gap = time - rhythm.lastSeen;
  return (
    Math.abs(gap - rhythm.meanGapMs) <= ROUTINE_MAX_DEVIATION * rhythm.meanGapMs &&
    rhythm.gapDeviationMs <= ROUTINE_MAX_DEVIATION * rhythm.meanGapMs
  );
}

/** Folds a firing at `time` into the rhythm, in place; firings at one instant add no gap. */
export function noteFiring(rhythm: Rhythm, time: EpochMs): void {
  if (rhythm.lastSeen === -Infinity) {
    rhythm.lastSeen = time;
    return;
  }
  const gap = time - rhythm.lastSeen;
  if (gap <= 0) return;
  if (rhythm.gaps === 0) rhythm.meanGapMs = gap;
  else {
    const deviation = Math.abs(gap - rhythm.meanGapMs);
    rhythm.meanGapMs += GAP_SMOOTHING * (gap - rhythm.meanGapMs);
    rhythm.gapDeviationMs += GAP_SMOOTHING * (deviation - rhythm.gapDeviationMs);
  }
  rhythm.gaps += 1;
  rhythm.lastSeen = time;
}
