import { addEvidence } from '../scoring';
import { trimClosed } from './budgets';
import { entityKey } from './entity-keys';
import { mergeIntel } from './evolve-intel';
import { addOtherTactics, addRule, removeFromBucket, touch } from './evolve-rows';
import { indexAdd, indexRemove, mergeRanges } from './links';
import { renameNotable } from './risk-history';
import {
  insertSortedBounded,
  RHYTHM_SAMPLES,
  seriesSize,
  type OpenIncident,
  type TenantState,
} from './state';
import { addInto } from './tally';

export function merge(tenant: TenantState, survivorId: string, absorbedId: string): void {
  const survivor = tenant.open.get(survivorId);
  const absorbed = tenant.open.get(absorbedId);
  if (survivor === undefined || absorbed === undefined) return;
  touch(tenant, survivor, absorbed.firstSeen);
  touch(tenant, survivor, absorbed.lastSeen);
  mergeLinks(tenant, survivor, absorbed);
  addInto(survivor.tally, absorbed.tally);
  if (absorbed.rules === null) addRule(survivor, absorbed.rule);
  else for (const rule of absorbed.rules) addRule(survivor, rule);
  addOtherTactics(survivor, absorbed.otherTactics);
  survivor.routineAlerts += absorbed.routineAlerts;
  survivor.evidence = addEvidence(survivor.evidence, absorbed.evidence);
  mergeSeries(survivor, absorbed);
  if (tenant.pending.delete(absorbed.id)) tenant.pending.add(survivor.id);
  survivor.pendingFirstSeen = Math.min(survivor.pendingFirstSeen, absorbed.pendingFirstSeen);
  survivor.pendingLastSeen = Math.max(survivor.pendingLastSeen, absorbed.pendingLastSeen);
  survivor.campaignId ??= absorbed.campaignId;
  moveEntityMemory(tenant, survivor, absorbed);
  mergeIntel(survivor, absorbed);
  absorbed.links.clear();
  absorbed.repeats.clear();
  absorbed.pendingSeries = null;
  absorbed.routineLead = null;
}

/** The absorbed incident's links move to the survivor, or widen the survivor's own. */
function mergeLinks(tenant: TenantState, survivor: OpenIncident, absorbed: OpenIncident): void {
  for (const link of absorbed.links.values()) {
    if (link.entity !== null && !survivor.links.has(link.key)) survivor.entities.push(link.entity);
  }
  for (const [key, link] of absorbed.links) {
    const own = survivor.links.get(key);
    if (own === undefined) {
      link.incident = survivor;
      survivor.links.set(key, link);
    } else {
      mergeRanges(own, link, survivor.windowMs);
      indexRemove(tenant.index, link);
    }
  }
}

/** The absorbed incident's repeat series move to the survivor, or add to its own. */
function mergeSeries(survivor: OpenIncident, absorbed: OpenIncident): void {
  for (const [key, series] of absorbed.repeats) {
    const own = survivor.repeats.get(key);
    if (own === undefined) {
      survivor.repeats.set(key, series);
      if (series.pendingIds !== null) (survivor.pendingSeries ??= []).push(series);
      if (
        series.routine &&
        (survivor.routineLead === null || seriesSize(series) > seriesSize(survivor.routineLead))
      ) {
        survivor.routineLead = series;
      }
      continue;
    }
    const before = (own.routine ? seriesSize(own) : 0) + (series.routine ? seriesSize(series) : 0);
    own.rows += series.rows;
    own.total += series.total;
    for (const time of series.times) insertSortedBounded(own.times, time, RHYTHM_SAMPLES);
    own.routine = own.routine || series.routine;
    if (series.pendingIds !== null) {
      if (own.pendingIds === null) (survivor.pendingSeries ??= []).push(own);
      (own.pendingIds ??= []).push(...series.pendingIds);
      (own.pendingTimes ??= []).push(...(series.pendingTimes ?? []));
    }
    survivor.routineAlerts += (own.routine ? seriesSize(own) : 0) - before;
    if (
      own.routine &&
      (survivor.routineLead === null || seriesSize(own) > seriesSize(survivor.routineLead))
    ) {
      survivor.routineLead = own;
    }
  }
}

/** Campaign memory names the survivor where it named the absorbed incident. */
function moveEntityMemory(
  tenant: TenantState,
  survivor: OpenIncident,
  absorbed: OpenIncident,
): void {
  for (const entity of absorbed.entities) {
    const memory = tenant.entities.get(entityKey(entity));
    if (memory === undefined) continue;
    renameIn(memory.incidents, absorbed.id, survivor.id);
    renameNotable(memory, absorbed.id, survivor.id);
  }
}

function renameIn(incidents: string[], absorbedId: string, survivorId: string): void {
  const at = incidents.indexOf(absorbedId);
  if (at < 0) return;
  if (incidents.includes(survivorId)) incidents.splice(at, 1);
  else incidents[at] = survivorId;
}

/** The absorbed incident points at its survivor. */
export function markMergedInto(tenant: TenantState, absorbedId: string, survivorId: string): void {
  const absorbed = tenant.open.get(absorbedId);
  if (absorbed !== undefined) absorbed.mergedInto = survivorId;
}

export function close(tenant: TenantState, incidentId: string): void {
  const incident = tenant.open.get(incidentId);
  if (incident === undefined) return;
  tenant.open.delete(incidentId);
  for (const link of incident.links.values()) indexRemove(tenant.index, link);
  if (!Number.isNaN(incident.windowBucket))
    removeFromBucket(tenant.windowDeadlines, incident.windowBucket, incident);
  if (!Number.isNaN(incident.spanBucket))
    removeFromBucket(tenant.spanStarts, incident.spanBucket, incident);
  tenant.pending.delete(incidentId);
  tenant.closed.set(incidentId, {
    id: incidentId,
    ordinal: incident.ordinal,
    sequence: incident.sequence,
    firstSeen: incident.firstSeen,
    lastSeen: incident.lastSeen,
    windowMs: incident.windowMs,
    horizonMs: incident.horizonMs,
    expiresAt: incident.lastSeen + incident.horizonMs,
    priority: incident.priority,
    campaignId: incident.campaignId,
    mergedInto: incident.mergedInto,
    retained: incident.mergedInto === null ? incident : null,
  });
  if (incident.mergedInto === null) {
    for (const link of incident.links.values()) indexAdd(tenant.closedIndex, link);
    tenant.retainedKeys += incident.links.size;
  }
  trimClosed(tenant);
}

export function linkCampaign(tenant: TenantState, incidentId: string, campaignId: string): void {
  const target = tenant.open.get(incidentId) ?? tenant.closed.get(incidentId);
  if (target === undefined) return;
  const previous = target.campaignId;
  if (previous !== null && previous !== campaignId) {
    const old = tenant.campaigns.get(previous);
    const at = old?.members.indexOf(incidentId) ?? -1;
    if (old !== undefined && at >= 0) old.members.splice(at, 1);
  }
  target.campaignId = campaignId;
  if ('retained' in target && target.retained !== null) target.retained.campaignId = campaignId;
  const ordinal = target.ordinal;
  let campaign = tenant.campaigns.get(campaignId);
  if (campaign === undefined) {
    campaign = { id: campaignId, rootOrdinal: ordinal, members: [] };
    tenant.campaigns.set(campaignId, campaign);
  }
  if (!campaign.members.includes(incidentId)) campaign.members.push(incidentId);
  if (ordinal < campaign.rootOrdinal) campaign.rootOrdinal = ordinal;
}
