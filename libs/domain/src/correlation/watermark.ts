import type { EpochMs } from '@soc/contracts';
import type { SourceClock, TenantState } from './state';

export interface WatermarkClock {
  /** The tenant's sources (by `sourceSystem`): each one's newest event time and arrival. */
  readonly sources: ReadonlyMap<string, SourceClock>;
  /** The newest arrival of any of the tenant's alerts; -Infinity before any. */
  readonly newestArrival: EpochMs;
  /** How far behind its source's newest event time an alert may arrive and count as on time. */
  readonly allowedLatenessMs: number;
  /**
   * A source none of whose alerts arrived for this long before the tenant's newest arrival is
   * idle: it no longer holds the watermark back.
   */
  readonly idleTimeoutMs: number;
  /** A watermark already reached (recorded by a tick, or requested); it never moves back. */
  readonly floor?: EpochMs;
}

/**
 * The one watermark rule, for the decider, the offline runner and the shells alike: the
 * newest event time of the slowest active source minus the allowed lateness, never below a
 * watermark already reached. Per source, because sources differ: a detector that forwards
 * hours late (AMiner) holds the watermark at its own event time while it keeps sending, so
 * the windows its alerts belong to stay open until they arrive, instead of another source's
 * newer alerts closing them first. A source that stops sending stops holding the watermark
 * once it has been idle, by arrival time, for the idle timeout. With one source this is that
 * source's newest event time minus the lateness. Every tenant applies its own lateness.
 */
export function watermarkOf({
  sources,
  newestArrival,
  allowedLatenessMs,
  idleTimeoutMs,
  floor = -Infinity,
}: WatermarkClock): EpochMs {
  let slowest = Infinity;
  for (const clock of sources.values()) {
    const active = clock.newestArrival + idleTimeoutMs >= newestArrival;
    if (active && clock.newestEventTime < slowest) slowest = clock.newestEventTime;
  }
  if (slowest === Infinity) return floor;
  return Math.max(floor, slowest - allowedLatenessMs);
}

/** The tenant's watermark by its policy (`watermarkOf`), at least `floor`. */
export const tenantWatermarkOf = (
  tenant: TenantState,
  policy: { readonly allowedLatenessMs: number; readonly idleTimeoutMs: number },
  floor: EpochMs = tenant.watermark,
): EpochMs =>
  watermarkOf({
    sources: tenant.sources,
    newestArrival: tenant.newestArrival,
    allowedLatenessMs: policy.allowedLatenessMs,
    idleTimeoutMs: policy.idleTimeoutMs,
    floor,
  });
