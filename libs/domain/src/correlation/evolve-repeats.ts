import type {
  AlertRepeatsCountedData,
  EpochMs,
  IncidentRepeatsCountedData,
  RepeatSeriesCount,
} from '@soc/contracts';
import { learnRepeats } from '../scoring';
import { indexAlert, noteEventTime, touch } from './evolve-rows';
import { noteRepeatClocks } from './source-clocks';
import { extendLink } from './links';
import {
  insertSortedBounded,
  largestRoutineSeries,
  RHYTHM_SAMPLES,
  seriesSize,
  type OpenIncident,
  type RepeatPending,
  type RepeatSeries,
  type TenantState,
} from './state';

export function applyPending(tenant: TenantState, pending: RepeatPending): void {
  const incident = tenant.open.get(pending.incidentId);
  const series = incident?.repeats.get(pending.repeatKey);
  if (incident === undefined || series === undefined) return;
  const time = pending.observedAt;
  if (series.pendingIds === null) (incident.pendingSeries ??= []).push(series);
  (series.pendingIds ??= []).push(pending.alertId);
  (series.pendingTimes ??= []).push(time);
  if (pending.ingestedAt > series.pendingArrival) series.pendingArrival = pending.ingestedAt;
  noteEventTime(tenant, time);
  noteRepeatClocks(tenant, series.source, { time, ingestedAt: pending.ingestedAt });
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

/** A counter event of either shape: its series counted in order. */
export function countRepeats(
  tenant: TenantState,
  data: AlertRepeatsCountedData | IncidentRepeatsCountedData,
): void {
  const counts = 'series' in data ? data.series : [data];
  for (const count of counts) countSeries(tenant, { incidentId: data.incidentId, count });
}

function countSeries(
  tenant: TenantState,
  { incidentId, count }: { readonly incidentId: string; readonly count: RepeatSeriesCount },
): void {
  const incident = tenant.open.get(incidentId);
  const series = incident?.repeats.get(count.repeatKey);
  if (incident === undefined || series === undefined) return;
  const routineBefore = series.routine ? seriesSize(series) : 0;
  incident.tally.alertCount += count.totalRepeats - series.total;
  for (const alertId of count.alertIds) indexAlert(tenant, alertId, incident.id);
  series.total = count.totalRepeats;
  learnRepeats(tenant.baseline, series, count.observedAts);
  // Events written before lastIngestedAt was recorded decode without it.
  const ingestedAt = count.lastIngestedAt ?? null;
  for (const time of count.observedAts) {
    insertSortedBounded(series.times, time, RHYTHM_SAMPLES);
    touch(tenant, incident, time);
    noteRepeatClocks(tenant, series.source, { time, ingestedAt });
    extendSeriesLinks(incident, series, time);
  }
  series.routine = count.routine;
  series.intervalCv = count.intervalCv;
  incident.routineAlerts += (series.routine ? seriesSize(series) : 0) - routineBefore;
  const lead = incident.routineLead;
  if (series.routine) {
    if (lead === null || seriesSize(series) > seriesSize(lead)) incident.routineLead = series;
  } else if (lead === series) incident.routineLead = largestRoutineSeries(incident);
  clearPending(tenant, incident, series);
}

/** The series' repeats are counted: it, and maybe the incident, has none pending. */
function clearPending(tenant: TenantState, incident: OpenIncident, series: RepeatSeries): void {
  if (series.pendingIds !== null) {
    series.pendingIds = null;
    series.pendingTimes = null;
    series.pendingArrival = -Infinity;
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
