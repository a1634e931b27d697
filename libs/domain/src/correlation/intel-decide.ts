import type { IntelVerdictRecorded } from '@soc/contracts';
import { threatIntelFactor } from '../scoring';
import { policyFor } from './config';
import { CORRELATION_ACTORS as ACTOR, Decision } from './context';
import type { DeciderParts } from './decide';
import { isNewer, verdictKeyOf } from './evolve-intel';
import { alertCausation, unattachedStreamId } from './ids';
import { intelFactsOf } from './intel-facts';
import { rescore } from './rescore';
import type {
  CorrelationOutput,
  IntelInput,
  OpenIncident,
  RememberedIntelInput,
  RememberedVerdict,
  TenantState,
} from './state';
import { lastSeenOf } from './state';
import { watermarkOf } from './watermark';

/*
 * Threat-intel verdicts, on event time like everything else: a verdict counts until the
 * tenant's watermark passes its expiresAt. Every verdict the correlator keeps is recorded as
 * IntelVerdictApplied (on each open incident it concerns, or on the tenant's unattached stream
 * for alerts to come), so the state, and with it every priority, is a fold of the incident
 * log alone: a restart or a replay needs no provider and no intel topic.
 */

function decisionFor(
  { state, config, ids }: DeciderParts,
  {
    tenantId,
    time,
    cause,
  }: { readonly tenantId: string; readonly time: number; readonly cause: string },
): Decision {
  const tenant = state.tenants.get(tenantId);
  const watermark =
    tenant === undefined
      ? -Infinity
      : watermarkOf({
          newestEventTime: tenant.maxEventTime,
          allowedLatenessMs: policyFor(config, tenantId, tenant).policy.allowedLatenessMs,
          floor: tenant.watermark,
        });
  return new Decision({ tenantId, tenant, config, ids, time, watermark, cause });
}

const verdictOf = ({ data }: IntelVerdictRecorded): RememberedVerdict => ({
  provider: data.provider,
  indicator: data.indicator,
  kind: data.kind,
  verdict: data.verdict,
  score: data.score,
  evidence: data.evidence,
  fetchedAt: data.fetchedAt,
  expiresAt: data.expiresAt,
});

/**
 * A verdict from `soc.intel.v1`. Older than (or the same as) what the tenant holds for the
 * provider and indicator, or expired at the tenant's watermark: nothing. Otherwise it joins
 * every open incident with the indicator among its entities (the alerts it names carry the
 * indicator, so they are in those incidents), each rescored with the verdict as the cause, or
 * is kept for alerts to come.
 */
export function decideIntel(input: IntelInput, parts: DeciderParts): CorrelationOutput[] {
  const verdict = verdictOf(input.event);
  const tenant = parts.state.tenants.get(input.event.tenantId);
  // Event time of the tenant's alerts, not of the fetch: the intel topic has no watermark.
  const ctx = decisionFor(parts, {
    tenantId: input.event.tenantId,
    time:
      tenant === undefined || tenant.maxEventTime === -Infinity
        ? verdict.fetchedAt
        : tenant.maxEventTime,
    cause: alertCausation(input.event.eventId),
  });
  if (verdict.expiresAt <= ctx.watermark) return [];
  if (!isNewer(ctx.tenant?.intel ?? null, verdict)) return [];
  const key = verdictKeyOf(verdict);
  const targets = ctx.tenant === undefined ? [] : incidentsWith(ctx.tenant, key);
  if (targets.length === 0) {
    const stream = {
      id: unattachedStreamId(ctx.tenantId),
      sequence: ctx.tenant?.unattachedSequence ?? 0,
    };
    const data = { incidentId: null, ...verdict };
    ctx.emit(stream, 'IntelVerdictApplied', data, { actor: ACTOR.intel, at: ctx.now });
    return ctx.outputs;
  }
  for (const incident of targets) applyTo(ctx, { incident, verdicts: [verdict] });
  return ctx.outputs;
}

/**
 * The verdicts the tenant remembers for an alert's entities join the incident the alert landed
 * in: a feed match or a cached verdict that came before the alert still counts.
 */
export function decideRememberedIntel(
  input: RememberedIntelInput,
  parts: DeciderParts,
): CorrelationOutput[] {
  const tenant = parts.state.tenants.get(input.tenantId);
  const incident = tenant?.open.get(input.incidentId);
  if (tenant === undefined || incident === undefined || tenant.intel.size === 0) return [];
  const ctx = decisionFor(parts, {
    tenantId: input.tenantId,
    time: incident.lastSeen,
    cause: alertCausation(input.alertId),
  });
  const verdicts: RememberedVerdict[] = [];
  for (const key of input.entityKeys)
    for (const verdict of tenant.intel.get(key)?.values() ?? [])
      if (verdict.expiresAt > ctx.watermark && isNewer(incident.intel, verdict))
        verdicts.push(verdict);
  if (verdicts.length > 0) applyTo(ctx, { incident, verdicts });
  return ctx.outputs;
}

function incidentsWith(tenant: TenantState, key: string): OpenIncident[] {
  const found: OpenIncident[] = [];
  for (const incident of tenant.open.values())
    if (incident.mergedInto === null && incident.links.has(key)) found.push(incident);
  return found;
}

/**
 * Records the verdicts on the incident and rescores it: IncidentScored when the priority or
 * the threat-intel reason (which names the provider's evidence) changes.
 */
function applyTo(
  ctx: Decision,
  {
    incident,
    verdicts,
  }: { readonly incident: OpenIncident; readonly verdicts: readonly RememberedVerdict[] },
): void {
  const at = lastSeenOf(incident);
  for (const verdict of verdicts) {
    const data = { incidentId: incident.id, ...verdict };
    ctx.emit(incident, 'IntelVerdictApplied', data, { actor: ACTOR.intel, at });
  }
  const group = [incident];
  const before = threatIntelFactor(intelFactsOf({ tally: incident.tally, group })).reason;
  const after = threatIntelFactor(
    intelFactsOf({ tally: incident.tally, group, applying: verdicts }),
  ).reason;
  // Scored at the incident's own event time: when a verdict arrives must not age the incident.
  rescore(ctx, {
    subject: incident,
    group,
    intel: verdicts,
    explanationChanged: before !== after,
    at,
  });
}
