import type { EpochMs } from '@soc/contracts';
import { overBudget } from './budgets';
import { policyFor } from './config';
import { CORRELATION_ACTORS as ACTOR, Decision } from './context';
import type { DeciderParts } from './decide';
import { flushRepeats } from './fold-repeats';
import { expireHeldFeedback } from './held-feedback-decide';
import { tickCausation } from './ids';
import {
  bucketOf,
  firstSeenOf,
  lastSeenOf,
  type CorrelationOutput,
  type OpenIncident,
  type TenantState,
  type TickInput,
} from './state';
import type { CorrelationPolicy } from './policy';
import { tenantWatermarkOf } from './watermark';

type CloseReason = 'window-expired' | 'max-span-reached';

/**
 * A tick, per tenant: moves the watermark (see `watermarkOf`), flushes pending repeat
 * counters, and closes the incidents whose window or max span the watermark has passed,
 * oldest first.
 */
export function decideTick(tick: TickInput, parts: DeciderParts): CorrelationOutput[] {
  const outputs: CorrelationOutput[] = [];
  for (const tenant of parts.state.tenants.values()) {
    const policy = policyFor(parts.config, tenant.tenantId, tenant).policy;
    const watermark = tenantWatermarkOf(
      tenant,
      policy,
      Math.max(tenant.watermark, tick.watermark ?? -Infinity, idleFloor(tenant, tick, policy)),
    );
    if (!Number.isFinite(watermark)) continue;
    const ctx = new Decision({
      tenantId: tenant.tenantId,
      tenant,
      config: parts.config,
      ids: parts.ids,
      time: watermark,
      watermark,
      cause: tickCausation(watermark),
    });
    for (const incidentId of tenant.pending) {
      const incident = tenant.open.get(incidentId);
      if (incident !== undefined) flushRepeats(ctx, incident);
    }
    const closes = closing(tenant, { watermark, spanMs: policy.maxIncidentSpanMs });
    if (closes.length > 0)
      overBudget(ctx, { budget: 'remembered-incidents', incoming: closes.length });
    for (const [incident, reason] of closes)
      ctx.emit(
        incident,
        'IncidentClosed',
        { incidentId: incident.id, reason },
        { actor: ACTOR.window },
      );
    if (tenant.heldFeedback.size > 0) expireHeldFeedback(ctx, tenant);
    for (const output of ctx.outputs) outputs.push(output);
  }
  return outputs;
}

/** For a tenant idle at the tick's arrival time: the watermark it may move to (see TickInput). */
function idleFloor(tenant: TenantState, tick: TickInput, policy: CorrelationPolicy): EpochMs {
  const { arrivalTime } = tick;
  if (arrivalTime === undefined || tenant.newestArrival + policy.idleTimeoutMs > arrivalTime)
    return -Infinity;
  return arrivalTime - policy.idleTimeoutMs;
}

/** The incidents the watermark closes, by opening order. */
function closing(
  tenant: TenantState,
  { watermark, spanMs }: { readonly watermark: EpochMs; readonly spanMs: number },
): [OpenIncident, CloseReason][] {
  const closed: [OpenIncident, CloseReason][] = [];
  const windows = dueIncidents(tenant.windowDeadlines, tenant.minWindowBucket, bucketOf(watermark));
  for (const incident of windows) {
    if (lastSeenOf(incident) + incident.windowMs <= watermark)
      closed.push([incident, 'window-expired']);
  }
  const spanLimit = watermark - spanMs;
  const spans = dueIncidents(tenant.spanStarts, tenant.minSpanBucket, bucketOf(spanLimit));
  for (const incident of spans) {
    if (firstSeenOf(incident) <= spanLimit && !closed.some(([other]) => other === incident))
      closed.push([incident, 'max-span-reached']);
  }
  return closed.sort(([a], [b]) => a.ordinal - b.ordinal);
}

/** Incidents in buckets from `low` to `high`; walks the map's keys when that is shorter. */
function* dueIncidents(
  buckets: Map<number, Set<OpenIncident>>,
  low: number,
  high: number,
): Generator<OpenIncident> {
  if (buckets.size === 0 || high < low) return;
  if (high - low + 1 > buckets.size) {
    for (const [bucket, set] of buckets) if (bucket <= high) yield* set;
    return;
  }
  for (let bucket = low; bucket <= high; bucket += 1) {
    const set = buckets.get(bucket);
    if (set !== undefined) yield* set;
  }
}
