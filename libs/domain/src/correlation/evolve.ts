import type { AlertSummary, EpochMs, IncidentEvent } from '@soc/contracts';
import { addAttackStages, attackStageOf } from '../scoring';
import { alertKeysOf, ruleLabelOf } from './entity-keys';
import { unattachedStreamId } from './ids';
import {
  accumulatedRisk,
  alertRisk,
  bucketOf,
  ENTITY_RECENT_INCIDENTS,
  insertSortedBounded,
  largestRoutineSeries,
  NO_TACTICS,
  RHYTHM_SAMPLES,
  RISK_HALF_LIVES_PER_HORIZON,
  seriesSize,
  SWEEP_INTERVAL_MS,
  type CorrelationOutput,
  type CorrelationState,
  type EntityLink,
  type OpenIncident,
  type RepeatPending,
  type RepeatSeries,
  type TenantState,
} from './state';

/**
 * Folds one decider output into the state, in place, and returns the state. Needs no
 * configuration: everything a decision depended on is in the event (the window and horizon
 * the incident opened under, the alerts themselves), so a replay after a configuration change
 * rebuilds the same state and only new decisions follow the new configuration.
 */
export function evolveCorrelation(
  state: CorrelationState,
  output: CorrelationOutput,
): CorrelationState {
  const tenant = tenantOf(state, output.tenantId);
  if (output.type === 'RepeatPending') {
    applyPending(tenant, output);
    return state;
  }
  const event = output;
  switch (event.type) {
    case 'IncidentOpened': {
      const { incidentId, title, windowMs, campaignHorizonMs, firstAlert } = event.data;
      addRow(
        tenant,
        openIncident(
          tenant,
          incidentId,
          title,
          windowMs,
          campaignHorizonMs,
          ruleLabelOf(firstAlert),
        ),
        firstAlert,
      );
      break;
    }
    case 'AlertAttached': {
      const incident = tenant.open.get(event.data.incidentId);
      if (incident !== undefined) addRow(tenant, incident, event.data.alert);
      break;
    }
    case 'AlertRepeatsCounted':
      countRepeats(tenant, event.data);
      break;
    case 'AlertSuppressed':
    case 'LateAlertHandled':
      noteEventTime(tenant, event.data.alert.observedAt);
      break;
    case 'IncidentsMerged':
      merge(tenant, event.data.incidentId, event.data.absorbedIncidentId);
      break;
    case 'IncidentMergedInto': {
      const absorbed = tenant.open.get(event.data.incidentId);
      if (absorbed !== undefined) absorbed.mergedInto = event.data.survivorIncidentId;
      break;
    }
    case 'IncidentScored': {
      const target =
        tenant.open.get(event.data.incidentId) ?? tenant.closed.get(event.data.incidentId);
      if (target !== undefined) target.priority = event.data.priority;
      break;
    }
    case 'IncidentEscalated': {
      const incident = tenant.open.get(event.data.incidentId);
      if (incident !== undefined) incident.escalated = true;
      break;
    }
    case 'CampaignLinked':
      linkCampaign(tenant, event.data.incidentId, event.data.campaignId);
      break;
    case 'IncidentClosed':
      close(tenant, event.data.incidentId);
      break;
    default: {
      const unreachable: never = event;
      throw new Error(`unhandled incident event ${JSON.stringify(unreachable)}`);
    }
  }
  noteSequence(tenant, event);
  // Alert causations never start with `tick:` (alertCausation escapes them).
  if (event.causationId.startsWith('tick:')) noteWatermark(tenant, event.occurredAt);
  return state;
}

function tenantOf(state: CorrelationState, tenantId: string): TenantState {
  let tenant = state.tenants.get(tenantId);
  if (tenant === undefined) {
    tenant = {
      tenantId,
      incidentCounter: 0,
      unattachedSequence: 0,
      watermark: -Infinity,
      maxEventTime: -Infinity,
      sweptAt: -Infinity,
      sweepEveryMs: SWEEP_INTERVAL_MS,
      open: new Map(),
      index: new Map(),
      windowDeadlines: new Map(),
      spanStarts: new Map(),
      minWindowBucket: Infinity,
      minSpanBucket: Infinity,
      entities: new Map(),
      closed: new Map(),
      campaigns: new Map(),
      pending: new Set(),
    };
    state.tenants.set(tenantId, tenant);
  }
  return tenant;
}

function noteSequence(tenant: TenantState, event: IncidentEvent): void {
  if (event.data.incidentId === null && event.streamId === unattachedStreamId(tenant.tenantId)) {
    tenant.unattachedSequence = event.sequence;
    return;
  }
  const target = tenant.open.get(event.streamId) ?? tenant.closed.get(event.streamId);
  if (target !== undefined) target.sequence = event.sequence;
}

const noteEventTime = (tenant: TenantState, time: EpochMs): void => {
  if (time > tenant.maxEventTime) tenant.maxEventTime = time;
};

/** Tick-caused events carry the watermark as their event time; old memory is swept then. */
function noteWatermark(tenant: TenantState, watermark: EpochMs): void {
  if (watermark > tenant.watermark) tenant.watermark = watermark;
  // Every incident whose window deadline lies in a bucket wholly below the watermark was
  // closed by the tick that caused this event, so those buckets are empty.
  const settled = bucketOf(watermark);
  if (tenant.minWindowBucket < settled) tenant.minWindowBucket = settled;
  if (watermark < tenant.sweptAt + tenant.sweepEveryMs) return;
  tenant.sweptAt = watermark;
  for (const [key, memory] of tenant.entities)
    if (memory.expiresAt <= watermark) tenant.entities.delete(key);
  for (const [id, closed] of tenant.closed)
    if (closed.expiresAt <= watermark) tenant.closed.delete(id);
  for (const [id, campaign] of tenant.campaigns) {
    const live = campaign.members.filter(
      (member) => tenant.open.has(member) || tenant.closed.has(member),
    );
    if (live.length === 0) tenant.campaigns.delete(id);
    else if (live.length < campaign.members.length)
      campaign.members.splice(0, campaign.members.length, ...live);
  }
}

function openIncident(
  tenant: TenantState,
  id: string,
  title: string,
  windowMs: number,
  horizonMs: number,
  rule: string,
): OpenIncident {
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
    rows: 0,
    alertCount: 0,
    severityMax: 0,
    severitySum: 0,
    confidenceSum: 0,
    confidenceCount: 0,
    rule,
    rules: null,
    tacticMask: 0,
    otherTactics: NO_TACTICS,
    intelMalicious: -1,
    intelSuspicious: -1,
    intelBenign: 0,
    intelUnknown: 0,
    repeats: new Map(),
    routineAlerts: 0,
    routineLead: null,
    pendingSeries: null,
    priority: null,
    escalated: false,
    campaignId: null,
    mergedInto: null,
  };
  tenant.open.set(id, incident);
  return incident;
}

function addToBucket(
  buckets: Map<number, Set<OpenIncident>>,
  bucket: number,
  incident: OpenIncident,
): void {
  let set = buckets.get(bucket);
  if (set === undefined) buckets.set(bucket, (set = new Set()));
  set.add(incident);
}

function removeFromBucket(
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
function touch(tenant: TenantState, incident: OpenIncident, time: EpochMs): void {
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

function indexAdd(tenant: TenantState, link: EntityLink): void {
  const current = tenant.index.get(link.key);
  if (current === undefined) tenant.index.set(link.key, link);
  else if (current instanceof Set) current.add(link);
  else tenant.index.set(link.key, new Set([current, link]));
}

function indexRemove(tenant: TenantState, link: EntityLink): void {
  const current = tenant.index.get(link.key);
  if (current === link) tenant.index.delete(link.key);
  else if (current instanceof Set) {
    current.delete(link);
    if (current.size === 1) tenant.index.set(link.key, current.values().next().value as EntityLink);
  }
}

/**
 * Adds `time` to the link's ranges, merging every range it brings within a window of another.
 * The common case (the time falls in the one range) changes two numbers.
 */
export function extendLink(link: EntityLink, time: EpochMs, windowMs: number): void {
  if (link.more === null && time > link.min - windowMs && time < link.max + windowMs) {
    if (time < link.min) link.min = time;
    if (time > link.max) link.max = time;
    return;
  }
  const ranges = [link.min, link.max, ...(link.more ?? []), time, time];
  setRanges(link, coalesce(ranges, windowMs));
}

/** Sorts flat `[min, max, ...]` ranges and merges those less than a window apart. */
function coalesce(ranges: readonly number[], windowMs: number): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < ranges.length; i += 2)
    pairs.push([ranges[i] as number, ranges[i + 1] as number]);
  pairs.sort((a, b) => a[0] - b[0]);
  const merged: number[] = [];
  for (const [min, max] of pairs) {
    const last = merged.length - 1;
    if (last > 0 && min - (merged[last] as number) < windowMs)
      merged[last] = Math.max(merged[last] as number, max);
    else merged.push(min, max);
  }
  return merged;
}

function setRanges(link: EntityLink, ranges: readonly number[]): void {
  link.min = ranges[0] as number;
  link.max = ranges[1] as number;
  link.more = ranges.length > 2 ? ranges.slice(2) : null;
}

function linkKey(
  tenant: TenantState,
  incident: OpenIncident,
  key: string,
  entity: EntityLink['entity'],
  time: EpochMs,
): void {
  const link = incident.links.get(key);
  if (link === undefined) {
    const created: EntityLink = { incident, key, entity, min: time, max: time, more: null };
    incident.links.set(key, created);
    indexAdd(tenant, created);
    if (entity !== null) incident.entities.push(entity);
  } else extendLink(link, time, incident.windowMs);
}

function addRule(incident: OpenIncident, rule: string): void {
  if (incident.rules === null) {
    if (rule !== incident.rule) incident.rules = new Set([incident.rule, rule]);
  } else incident.rules.add(rule);
}

function addOtherTactics(incident: OpenIncident, tactics: readonly string[]): void {
  for (const tactic of tactics) {
    if (attackStageOf(tactic) < 0 && !incident.otherTactics.includes(tactic)) {
      incident.otherTactics = [...incident.otherTactics, tactic];
    }
  }
}

/** An alert row: the first occurrence of its repeat key in the incident. */
function addRow(tenant: TenantState, incident: OpenIncident, alert: AlertSummary): void {
  const time = alert.observedAt;
  touch(tenant, incident, time);
  incident.rows += 1;
  incident.alertCount += 1;
  if (alert.severity > incident.severityMax) incident.severityMax = alert.severity;
  incident.severitySum += alert.severity;
  if (alert.confidence !== null) {
    incident.confidenceSum += alert.confidence;
    incident.confidenceCount += 1;
  }
  addRule(incident, ruleLabelOf(alert));
  if (alert.tactics.length > 0) {
    incident.tacticMask = addAttackStages(incident.tacticMask, alert.tactics);
    addOtherTactics(incident, alert.tactics);
  }
  for (const verdict of alert.threatIntel) {
    if (verdict.verdict === 'malicious')
      incident.intelMalicious = Math.max(incident.intelMalicious, verdict.score);
    else if (verdict.verdict === 'suspicious')
      incident.intelSuspicious = Math.max(incident.intelSuspicious, verdict.score);
    else if (verdict.verdict === 'benign') incident.intelBenign += 1;
    else incident.intelUnknown += 1;
  }

  const keys = alertKeysOf(alert);
  for (let i = 0; i < keys.entityKeys.length; i += 1) {
    linkKey(tenant, incident, keys.entityKeys[i] as string, keys.entities[i] ?? null, time);
  }
  linkKey(tenant, incident, keys.repeatKey, null, time);
  const series = incident.repeats.get(keys.repeatKey);
  if (series === undefined) {
    incident.repeats.set(keys.repeatKey, {
      key: keys.repeatKey,
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
    });
  } else {
    series.rows += 1;
    insertSortedBounded(series.times, time, RHYTHM_SAMPLES);
    if (series.routine) {
      incident.routineAlerts += 1;
      if (incident.routineLead === null || seriesSize(series) > seriesSize(incident.routineLead))
        incident.routineLead = series;
    }
  }

  const risk = alertRisk(alert);
  const halfLifeMs = incident.horizonMs / RISK_HALF_LIVES_PER_HORIZON;
  for (const key of keys.entityKeys) {
    let memory = tenant.entities.get(key);
    if (memory === undefined) {
      memory = {
        risk: 0,
        at: time,
        halfLifeMs,
        expiresAt: time + incident.horizonMs,
        incidents: [],
      };
      tenant.entities.set(key, memory);
    }
    memory.risk = accumulatedRisk(memory, time, risk);
    if (time > memory.at) memory.at = time;
    memory.halfLifeMs = halfLifeMs;
    if (time + incident.horizonMs > memory.expiresAt) memory.expiresAt = time + incident.horizonMs;
    rememberIncident(memory.incidents, incident.id);
  }
}

function rememberIncident(incidents: string[], id: string): void {
  if (incidents[incidents.length - 1] === id) return;
  const at = incidents.indexOf(id);
  if (at >= 0) incidents.splice(at, 1);
  incidents.push(id);
  if (incidents.length > ENTITY_RECENT_INCIDENTS) incidents.shift();
}

function applyPending(tenant: TenantState, pending: RepeatPending): void {
  const incident = tenant.open.get(pending.incidentId);
  const series = incident?.repeats.get(pending.repeatKey);
  if (incident === undefined || series === undefined) return;
  const time = pending.observedAt;
  if (series.pendingIds === null) (incident.pendingSeries ??= []).push(series);
  (series.pendingIds ??= []).push(pending.alertId);
  (series.pendingTimes ??= []).push(time);
  noteEventTime(tenant, time);
  if (time < incident.pendingFirstSeen) incident.pendingFirstSeen = time;
  if (time > incident.pendingLastSeen) incident.pendingLastSeen = time;
  extendSeriesLinks(incident, series, time);
  tenant.pending.add(incident.id);
}

function extendSeriesLinks(incident: OpenIncident, series: RepeatSeries, time: EpochMs): void {
  for (const key of series.entityKeys) {
    const link = incident.links.get(key);
    if (link !== undefined) extendLink(link, time, incident.windowMs);
  }
  const own = incident.links.get(series.key);
  if (own !== undefined) extendLink(own, time, incident.windowMs);
}

function countRepeats(
  tenant: TenantState,
  data: Extract<IncidentEvent, { type: 'AlertRepeatsCounted' }>['data'],
): void {
  const incident = tenant.open.get(data.incidentId);
  const series = incident?.repeats.get(data.repeatKey);
  if (incident === undefined || series === undefined) return;
  const routineBefore = series.routine ? seriesSize(series) : 0;
  incident.alertCount += data.totalRepeats - series.total;
  series.total = data.totalRepeats;
  for (const time of data.observedAts) {
    insertSortedBounded(series.times, time, RHYTHM_SAMPLES);
    touch(tenant, incident, time);
    extendSeriesLinks(incident, series, time);
  }
  series.routine = data.routine;
  series.intervalCv = data.intervalCv;
  incident.routineAlerts += (series.routine ? seriesSize(series) : 0) - routineBefore;
  const lead = incident.routineLead;
  if (series.routine) {
    if (lead === null || seriesSize(series) > seriesSize(lead)) incident.routineLead = series;
  } else if (lead === series) incident.routineLead = largestRoutineSeries(incident);
  if (series.pendingIds !== null) {
    series.pendingIds = null;
    series.pendingTimes = null;
    const pending = incident.pendingSeries;
    const at = pending?.indexOf(series) ?? -1;
    if (pending !== null && at >= 0) pending.splice(at, 1);
    if (pending !== null && pending.length === 0) incident.pendingSeries = null;
  }
  if (incident.pendingSeries === null) {
    tenant.pending.delete(incident.id);
    incident.pendingFirstSeen = Infinity;
    incident.pendingLastSeen = -Infinity;
  }
}

function merge(tenant: TenantState, survivorId: string, absorbedId: string): void {
  const survivor = tenant.open.get(survivorId);
  const absorbed = tenant.open.get(absorbedId);
  if (survivor === undefined || absorbed === undefined) return;
  touch(tenant, survivor, absorbed.firstSeen);
  touch(tenant, survivor, absorbed.lastSeen);
  for (const link of absorbed.links.values()) {
    if (link.entity !== null && !survivor.links.has(link.key)) survivor.entities.push(link.entity);
  }
  for (const [key, link] of absorbed.links) {
    const own = survivor.links.get(key);
    if (own === undefined) {
      link.incident = survivor;
      survivor.links.set(key, link);
    } else {
      setRanges(
        own,
        coalesce(
          [own.min, own.max, ...(own.more ?? []), link.min, link.max, ...(link.more ?? [])],
          survivor.windowMs,
        ),
      );
      indexRemove(tenant, link);
    }
  }
  survivor.rows += absorbed.rows;
  survivor.alertCount += absorbed.alertCount;
  survivor.severityMax = Math.max(survivor.severityMax, absorbed.severityMax);
  survivor.severitySum += absorbed.severitySum;
  survivor.confidenceSum += absorbed.confidenceSum;
  survivor.confidenceCount += absorbed.confidenceCount;
  if (absorbed.rules === null) addRule(survivor, absorbed.rule);
  else for (const rule of absorbed.rules) addRule(survivor, rule);
  survivor.tacticMask |= absorbed.tacticMask;
  addOtherTactics(survivor, absorbed.otherTactics);
  survivor.intelMalicious = Math.max(survivor.intelMalicious, absorbed.intelMalicious);
  survivor.intelSuspicious = Math.max(survivor.intelSuspicious, absorbed.intelSuspicious);
  survivor.intelBenign += absorbed.intelBenign;
  survivor.intelUnknown += absorbed.intelUnknown;
  survivor.routineAlerts += absorbed.routineAlerts;
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
  if (tenant.pending.delete(absorbed.id)) tenant.pending.add(survivor.id);
  survivor.pendingFirstSeen = Math.min(survivor.pendingFirstSeen, absorbed.pendingFirstSeen);
  survivor.pendingLastSeen = Math.max(survivor.pendingLastSeen, absorbed.pendingLastSeen);
  survivor.campaignId ??= absorbed.campaignId;
  for (const entity of absorbed.entities) {
    const incidents = tenant.entities.get(`${entity.type}:${entity.value}`)?.incidents;
    if (incidents === undefined) continue;
    const at = incidents.indexOf(absorbed.id);
    if (at < 0) continue;
    if (incidents.includes(survivor.id)) incidents.splice(at, 1);
    else incidents[at] = survivor.id;
  }
  absorbed.links.clear();
  absorbed.repeats.clear();
  absorbed.pendingSeries = null;
  absorbed.routineLead = null;
}

function close(tenant: TenantState, incidentId: string): void {
  const incident = tenant.open.get(incidentId);
  if (incident === undefined) return;
  tenant.open.delete(incidentId);
  for (const link of incident.links.values()) indexRemove(tenant, link);
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
  });
}

function linkCampaign(tenant: TenantState, incidentId: string, campaignId: string): void {
  const target = tenant.open.get(incidentId) ?? tenant.closed.get(incidentId);
  if (target === undefined) return;
  const previous = target.campaignId;
  if (previous !== null && previous !== campaignId) {
    const old = tenant.campaigns.get(previous);
    const at = old?.members.indexOf(incidentId) ?? -1;
    if (old !== undefined && at >= 0) old.members.splice(at, 1);
  }
  target.campaignId = campaignId;
  const ordinal = target.ordinal;
  let campaign = tenant.campaigns.get(campaignId);
  if (campaign === undefined) {
    campaign = { id: campaignId, rootOrdinal: ordinal, members: [] };
    tenant.campaigns.set(campaignId, campaign);
  }
  if (!campaign.members.includes(incidentId)) campaign.members.push(incidentId);
  if (ordinal < campaign.rootOrdinal) campaign.rootOrdinal = ordinal;
}
