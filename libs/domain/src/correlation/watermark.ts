import type { EpochMs } from '@soc/contracts';

export interface WatermarkClock {
  /** The newest alert event time seen; -Infinity before any. */
  readonly newestEventTime: EpochMs;
  /** How far behind the newest event time an alert may arrive and still count as on time. */
  readonly allowedLatenessMs: number;
  /** A watermark already reached (recorded by a tick, or requested); it never moves back. */
  readonly floor?: EpochMs;
}

/**
 * The one watermark rule, for the decider, the offline runner and the shells alike: the
 * newest event time minus the allowed lateness, never below a watermark already reached.
 * Every tenant applies its own allowed lateness.
 */
export const watermarkOf = ({
  newestEventTime,
  allowedLatenessMs,
  floor = -Infinity,
}: WatermarkClock): EpochMs => Math.max(floor, newestEventTime - allowedLatenessMs);
