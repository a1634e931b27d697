import type { AlertSummary, EpochMs } from '@soc/contracts';
import { deleteOldest } from '../oldest-first';
import { addEvidence, attackStageOf, evidenceOfRow, learnRow, NO_EVIDENCE } from '../scoring';
import { ruleLabelOf, type AlertKeys } from './entity-keys';
import { linkKey } from './links';
import { rememberEntities } from './story-memory';
import {
  bucketOf,
  MAX_INDEXED_ALERTS,
  insertSortedBounded,
  NO_TACTICS,
  RHYTHM_SAMPLES,
  seriesSize,
  type OpenIncident,
  type TenantState,
} from './state';
import { addInto, runningTally, tallyOf } from './tally';

/** A new open incident, before its first row is added. */
export function openIncident(
  tenant: TenantState,
  opened: {
    readonly id: string;
    readonly title: string;
    readonly windowMs: number;
    readonly horizonMs: number;
    readonly rule: string;
  },
): OpenIncident {
  const { id, title, windowMs, horizonMs, rule } = opened;
  tenant.incidentCounter += 1;
  tenant.sweepEveryMs = Math.max(tenant.sweepEveryMs, horizonMs / 24);
  const incident: OpenIncident = {
    id,
    tenantId: tenant.tenantId,
    ordinal: tenant.incidentCounter,
    title,
    windowMs,
    horizonMs,
    sequence: 0,
    firstSeen: Infinity,
    lastSeen: -Infinity,
    pendingFirstSeen: Infinity,
    pendingLastSeen: -Infinity,
    windowBucket: NaN,
    spanBucket: NaN,
    links: new Map(),
    entities: [],
    tally: runningTally(),
    rule,
    rules: null,
    otherTactics: NO_TACTICS,
    repeats: new Map(),
    routineAlerts: 0,
    routineLead: null,
    pendingSeries: null,
    priority: null,
    escalated: false,
    campaignId: null,
    mergedInto: null,
    evidence: NO_EVIDENCE,
    intel: null,
    analystClosed: null,
  };
  tenant.open.set(id, incident);
  return incident;
}

export function addToBucket(
  buckets: Map<number, Set<OpenIncident>>,
  bucket: number,
  incident: OpenIncident,
): void {
  let set = buckets.get(bucket);
  if (set === undefined) buckets.set(bucket, (set = new Set()));
  set.add(incident);
}

export function removeFromBucket(
  buckets: Map<number, Set<OpenIncident>>,
  bucket: number,
  incident: OpenIncident,
): void {
  const set = buckets.get(bucket);
  if (set === undefined) return;
  set.delete(incident);
  if (set.size === 0) buckets.delete(bucket);
}

/** Moves the incident's first/last seen to include `time`, keeping the deadline buckets right. */
export function touch(tenant: TenantState, incident: OpenIncident, time: EpochMs): void {
  noteEventTime(tenant, time);
  if (time > incident.lastSeen) {
    incident.lastSeen = time;
    const bucket = bucketOf(time + incident.windowMs);
    if (bucket !== incident.windowBucket) {
      if (!Number.isNaN(incident.windowBucket))
        removeFromBucket(tenant.windowDeadlines, incident.windowBucket, incident);
      incident.windowBucket = bucket;
      addToBucket(tenant.windowDeadlines, bucket, incident);
      if (bucket < tenant.minWindowBucket) tenant.minWindowBucket = bucket;
    }
  }
  if (time < incident.firstSeen) {
    incident.firstSeen = time;
    const bucket = bucketOf(time);
    if (bucket !== incident.spanBucket) {
      if (!Number.isNaN(incident.spanBucket))
        removeFromBucket(tenant.spanStarts, incident.spanBucket, incident);
      incident.spanBucket = bucket;
      addToBucket(tenant.spanStarts, bucket, incident);
      if (bucket < tenant.minSpanBucket) tenant.minSpanBucket = bucket;
    }
  }
}

export function addRule(incident: OpenIncident, rule: string): void {
  if (incident.rules === null) {
    if (rule !== incident.rule) incident.rules = new Set([incident.rule, rule]);
  } else incident.rules.add(rule);
}

export function addOtherTactics(incident: OpenIncident, tactics: readonly string[]): void {
  for (const tactic of tactics) {
    if (attackStageOf(tactic) < 0 && !incident.otherTactics.includes(tactic)) {
      incident.otherTactics = [...incident.otherTactics, tactic];
    }
  }
}

/** An alert row: the first occurrence of its repeat key in the incident. */
export function addRow(
  tenant: TenantState,
  incident: OpenIncident,
  { alert, keys }: { readonly alert: AlertSummary; readonly keys: AlertKeys },
): void {
  const time = alert.observedAt;
  // The row's evidence is read against the baseline before the row is learned, as the
  // decider read it.
  const row = { alert, rule: ruleLabelOf(alert), entityKeys: keys.entityKeys };
  const evidence = evidenceOfRow(tenant.baseline, row);
  incident.evidence = addEvidence(incident.evidence, evidence);
  learnRow(tenant.baseline, row);
  touch(tenant, incident, time);
  addInto(incident.tally, tallyOf(alert));
  addRule(incident, ruleLabelOf(alert));
  if (alert.tactics.length > 0) addOtherTactics(incident, alert.tactics);
  for (const { key, entity } of keys.entities) linkKey(tenant, incident, { key, entity, time });
  linkKey(tenant, incident, { key: keys.repeatKey, entity: null, time });
  addToSeries(incident, { alert, keys });
  rememberEntities(tenant, incident, { alert, keys, evidence });
  indexAlert(tenant, alert.alertId, incident.id);
}

/** Remembers which incident an alert joined (feedback by alert id), bounded. */
export function indexAlert(tenant: TenantState, alertId: string, incidentId: string): void {
  tenant.alertIncidents.delete(alertId);
  tenant.alertIncidents.set(alertId, incidentId);
  if (tenant.alertIncidents.size > MAX_INDEXED_ALERTS) {
    deleteOldest(tenant.alertIncidents, tenant.evictions.alertIncidents);
  }
}

/** The row starts its repeat series, or joins it (after a merge brought the same key twice). */
function addToSeries(
  incident: OpenIncident,
  { alert, keys }: { readonly alert: AlertSummary; readonly keys: AlertKeys },
): void {
  const time = alert.observedAt;
  const series = incident.repeats.get(keys.repeatKey);
  if (series === undefined) {
    incident.repeats.set(keys.repeatKey, {
      key: keys.repeatKey,
      source: alert.sourceSystem,
      ruleId: alert.ruleId,
      rule: ruleLabelOf(alert),
      entityKeys: keys.entityKeys,
      rows: 1,
      total: 0,
      times: [time],
      routine: false,
      intervalCv: null,
      pendingIds: null,
      pendingTimes: null,
      pendingArrival: -Infinity,
    });
    return;
  }
  series.rows += 1;
  insertSortedBounded(series.times, time, RHYTHM_SAMPLES);
  if (series.routine) {
    incident.routineAlerts += 1;
    if (incident.routineLead === null || seriesSize(series) > seriesSize(incident.routineLead))
      incident.routineLead = series;
  }
}

export const noteEventTime = (tenant: TenantState, time: EpochMs): void => {
  if (time > tenant.maxEventTime) tenant.maxEventTime = time;
};
