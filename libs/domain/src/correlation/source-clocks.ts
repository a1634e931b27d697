import type { AlertSummary, EpochMs } from '@soc/contracts';
import { MAX_TRACKED_SOURCES, type TenantState } from './state';

/**
 * An alert's summary, as an event carries it: its arrival and event time move the tenant's
 * and its source's clocks. A source beyond MAX_TRACKED_SOURCES makes the tenant forget the
 * source idle longest (which, being idle, held no watermark back). Folded in event order, so a
 * rebuilt state tracks the same sources.
 */
export function noteAlertClocks(tenant: TenantState, alert: AlertSummary): void {
  if (alert.ingestedAt > tenant.newestArrival) tenant.newestArrival = alert.ingestedAt;
  const clock = tenant.sources.get(alert.sourceSystem);
  if (clock === undefined) {
    tenant.sources.set(alert.sourceSystem, {
      newestEventTime: alert.observedAt,
      newestArrival: alert.ingestedAt,
    });
    if (tenant.sources.size > MAX_TRACKED_SOURCES) forgetIdlest(tenant);
    return;
  }
  if (alert.observedAt > clock.newestEventTime) clock.newestEventTime = alert.observedAt;
  if (alert.ingestedAt > clock.newestArrival) clock.newestArrival = alert.ingestedAt;
}

/**
 * A repeat moves the tenant's arrival and its series' source clock (when the source is still
 * tracked). Only maxima are kept, so folding a series' repeats one by one (RepeatPending) or
 * counted at once (a series' counter, with their newest arrival) ends in the same clocks.
 */
export function noteRepeatClocks(
  tenant: TenantState,
  source: string,
  { time, ingestedAt }: { readonly time: EpochMs; readonly ingestedAt: EpochMs | null },
): void {
  if (ingestedAt !== null && ingestedAt > tenant.newestArrival) tenant.newestArrival = ingestedAt;
  const clock = tenant.sources.get(source);
  if (clock === undefined) return;
  if (time > clock.newestEventTime) clock.newestEventTime = time;
  if (ingestedAt !== null && ingestedAt > clock.newestArrival) clock.newestArrival = ingestedAt;
}

function forgetIdlest(tenant: TenantState): void {
  let idlest: string | undefined;
  let oldest = Infinity;
  for (const [source, clock] of tenant.sources) {
    if (clock.newestArrival < oldest) {
      oldest = clock.newestArrival;
      idlest = source;
    }
  }
  if (idlest !== undefined) tenant.sources.delete(idlest);
}
