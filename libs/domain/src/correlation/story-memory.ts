import type { AlertSummary } from '@soc/contracts';
import {
  isNewInTenant,
  NOTABLE_RISK_SHARE,
  rareFindingOf,
  storyRiskShare,
  type EvidenceTally,
} from '../scoring';
import { forgetOldestEntity } from './budgets';
import type { AlertKeys } from './entity-keys';
import { addRisk, rememberNotable } from './risk-history';
import {
  alertRisk,
  ENTITY_RECENT_INCIDENTS,
  MAX_RARE_RULES,
  RISK_HALF_LIVES_PER_HORIZON,
  RULE_SIGHTINGS,
  type EntityMemory,
  type OpenIncident,
  type TenantState,
} from './state';

/** What a row leaves in the campaign memory: the alert, its keys and its evidence on arrival. */
export interface RememberedRow {
  readonly alert: AlertSummary;
  readonly keys: AlertKeys;
  readonly evidence: EvidenceTally;
}

/**
 * The risk a row adds to each of its entities toward a story: the alert's risk, times the
 * share its evidence leaves it (see storyRiskShare). The decider reads the same for the row
 * it is deciding, so what it links on is what the fold will remember.
 */
export const storyRiskOf = (alert: AlertSummary, evidence: EvidenceTally): number =>
  alertRisk(alert) * storyRiskShare(evidence);

/** Campaign memory: the row's story risk accumulates on each of its entities, within the horizon. */
export function rememberEntities(
  tenant: TenantState,
  incident: OpenIncident,
  { alert, keys, evidence }: RememberedRow,
): void {
  const time = alert.observedAt;
  const risk = storyRiskOf(alert, evidence);
  const notable = storyRiskShare(evidence) >= NOTABLE_RISK_SHARE;
  const halfLifeMs = incident.horizonMs / RISK_HALF_LIVES_PER_HORIZON;
  for (const key of keys.entityKeys) {
    let memory = tenant.entities.get(key);
    // Re-inserted on every sighting, so the Map's first entry is the entity seen least recently.
    if (memory !== undefined) tenant.entities.delete(key);
    else {
      if (tenant.entities.size >= tenant.budgets.trackedEntities) forgetOldestEntity(tenant);
      memory = newMemory({ time, halfLifeMs, expiresAt: time + incident.horizonMs });
    }
    tenant.entities.set(key, memory);
    memory.halfLifeMs = halfLifeMs;
    addRisk(memory, { time, risk, keepMs: incident.horizonMs });
    if (time + incident.horizonMs > memory.expiresAt) memory.expiresAt = time + incident.horizonMs;
    rememberIncident(memory.incidents, incident.id, ENTITY_RECENT_INCIDENTS);
    if (notable) rememberNotable(memory, incident.id, time);
  }
  rememberSighting(tenant, incident, { alert, keys, evidence });
}

const newMemory = ({
  time,
  halfLifeMs,
  expiresAt,
}: Pick<EntityMemory, 'halfLifeMs' | 'expiresAt'> & { readonly time: number }): EntityMemory => ({
  risk: 0,
  at: time,
  halfLifeMs,
  expiresAt,
  riskBuckets: [],
  riskHistoryFrom: -Infinity,
  incidents: [],
  notable: [],
});

function rememberIncident(incidents: string[], id: string, limit: number): void {
  if (incidents[incidents.length - 1] === id) return;
  const at = incidents.indexOf(id);
  if (at >= 0) incidents.splice(at, 1);
  incidents.push(id);
  if (incidents.length > limit) incidents.shift();
}

/**
 * A rule new in the tenant starts a memory of where it fires rare (incident, entity, time),
 * kept for the incident's horizon, for the spread links of the next sightings.
 */
function rememberSighting(
  tenant: TenantState,
  incident: OpenIncident,
  { alert, evidence }: RememberedRow,
): void {
  const finding = rareFindingOf(evidence);
  if (finding === null) return;
  const time = alert.observedAt;
  let memory = tenant.rareRules.get(finding.rule);
  if (memory === undefined) {
    if (!isNewInTenant(finding)) return;
    if (tenant.rareRules.size >= MAX_RARE_RULES) evictStalestRule(tenant);
    memory = { firstAt: time, expiresAt: time + incident.horizonMs, sightings: [] };
    tenant.rareRules.set(finding.rule, memory);
  }
  memory.expiresAt = Math.max(memory.expiresAt, time + incident.horizonMs);
  const { sightings } = memory;
  const at = sightings.findIndex((seen) => seen.entityKey === finding.entityKey);
  if (at >= 0) sightings.splice(at, 1);
  sightings.push({ incidentId: incident.id, entityKey: finding.entityKey, at: time });
  if (sightings.length > RULE_SIGHTINGS) sightings.shift();
}

function evictStalestRule(tenant: TenantState): void {
  let stalest: string | null = null;
  let expiresAt = Infinity;
  for (const [rule, memory] of tenant.rareRules)
    if (memory.expiresAt < expiresAt) {
      stalest = rule;
      expiresAt = memory.expiresAt;
    }
  if (stalest !== null) tenant.rareRules.delete(stalest);
}
