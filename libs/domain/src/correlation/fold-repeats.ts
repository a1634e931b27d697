import type { EpochMs, RepeatSeriesCount } from '@soc/contracts';
import type { DecidedAlert } from './alert-input';
import { CORRELATION_ACTORS as ACTOR, type Decision } from './context';
import { rescore, routineFacts } from './rescore';
import type { RepeatPolicy } from './policy';
import { flushTimeOf, scoreTimeOf } from './revise';
import {
  insertSortedBounded,
  rhythmOf,
  RHYTHM_SAMPLES,
  seriesSize,
  type OpenIncident,
  type RepeatSeries,
} from './state';

/** Is the alert a repeat of a series already in one of the incidents it joins? */
export const isRepeat = (
  ctx: Decision,
  { group, input }: { readonly group: readonly OpenIncident[]; readonly input: DecidedAlert },
): boolean =>
  ctx.policy.repeats.enabled &&
  group.some((incident) => incident.repeats.has(input.keys.repeatKey));

/**
 * A repeat is folded into its series' counter now (RepeatPending) and counted at the next
 * flush. It changes the score only then, but a merge it bridged changes the score now.
 */
export function foldRepeat(
  ctx: Decision,
  { group, input }: { readonly group: readonly OpenIncident[]; readonly input: DecidedAlert },
): void {
  const survivor = group[0] as OpenIncident;
  ctx.note({
    type: 'RepeatPending',
    tenantId: ctx.tenantId,
    incidentId: survivor.id,
    repeatKey: input.keys.repeatKey,
    alertId: input.alert.alertId,
    observedAt: ctx.time,
    ingestedAt: input.alert.ingestedAt,
  });
  if (group.length > 1) rescore(ctx, { subject: survivor, group, at: scoreTimeOf(ctx) });
}

/** A series after its pending repeats are counted. */
interface FlushedSeries {
  readonly series: RepeatSeries;
  readonly routine: boolean;
  readonly size: number;
  readonly cv: number | null;
}

/**
 * One IncidentRepeatsCounted with every series that has pending repeats, then a re-score. A
 * series becomes routine when it has at least `routineMinRepeats` repeats whose intervals
 * (over the most recent RHYTHM_SAMPLES occurrences) have a coefficient of variation at most
 * `routineMaxCv` and a mean of at least `routineMinIntervalMs` (a fast burst is not a schedule).
 */
export function flushRepeats(ctx: Decision, incident: OpenIncident): void {
  let addedRepeats = 0;
  let routineAlerts = incident.routineAlerts;
  const flushed: FlushedSeries[] = [];
  const counts: RepeatSeriesCount[] = [];
  for (const series of incident.pendingSeries ?? []) {
    addedRepeats += series.pendingIds?.length ?? 0;
    const { count, after } = countSeries(ctx.policy.repeats, series);
    routineAlerts += (after.routine ? after.size : 0) - (series.routine ? seriesSize(series) : 0);
    flushed.push(after);
    counts.push(count);
  }
  if (counts.length > 0) {
    const data = { incidentId: incident.id, series: counts };
    ctx.emit(incident, 'IncidentRepeatsCounted', data, { actor: ACTOR.repeats, at: ctx.watermark });
  }
  const lead = routineLeadAfter(incident, flushed);
  const routine = routineFacts(
    routineAlerts,
    lead === null ? null : { rule: lead.series.rule, intervalCv: lead.cv },
  );
  const at = flushTimeOf(ctx, incident);
  rescore(ctx, { subject: incident, group: [incident], flush: { addedRepeats, routine }, at });
}

/** The series' counter once its pending repeats are counted, and what it says of the series. */
function countSeries(
  repeats: RepeatPolicy,
  series: RepeatSeries,
): { readonly count: RepeatSeriesCount; readonly after: FlushedSeries } {
  const pendingIds = series.pendingIds ?? [];
  const pendingTimes = series.pendingTimes ?? [];
  const total = series.total + pendingIds.length;
  const times = series.times.slice();
  let lastObservedAt: EpochMs = times[times.length - 1] ?? -Infinity;
  for (const time of pendingTimes) {
    insertSortedBounded(times, time, RHYTHM_SAMPLES);
    if (time > lastObservedAt) lastObservedAt = time;
  }
  const rhythm = rhythmOf(times);
  const intervalCv = rhythm === null ? null : Math.round(rhythm.cv * 10_000) / 10_000;
  const routine =
    rhythm !== null && isRoutine(repeats, { total, cv: rhythm.cv, meanMs: rhythm.meanMs });
  const count = {
    repeatKey: series.key,
    ruleId: series.ruleId,
    alertIds: pendingIds.slice(),
    observedAts: pendingTimes.slice(),
    lastObservedAt,
    totalRepeats: total,
    routine,
    intervalCv,
    lastIngestedAt: Number.isFinite(series.pendingArrival) ? series.pendingArrival : null,
  };
  return { count, after: { series, routine, size: series.rows + total, cv: intervalCv } };
}

const isRoutine = (
  repeats: RepeatPolicy,
  { total, cv, meanMs }: { readonly total: number; readonly cv: number; readonly meanMs: number },
): boolean =>
  total >= repeats.routineMinRepeats &&
  cv <= repeats.routineMaxCv &&
  meanMs >= repeats.routineMinIntervalMs;

interface Lead {
  readonly series: RepeatSeries;
  readonly size: number;
  readonly cv: number | null;
}

/** The largest routine series once the flushed series are counted. */
function routineLeadAfter(incident: OpenIncident, flushed: readonly FlushedSeries[]): Lead | null {
  const current = incident.routineLead;
  let lead: Lead | null =
    current === null
      ? null
      : { series: current, size: seriesSize(current), cv: current.intervalCv };
  let leadLost = false;
  for (const { series, routine, size, cv } of flushed) {
    if (routine) {
      if (lead === null || lead.series === series || size > lead.size) lead = { series, size, cv };
    } else if (lead?.series === series) leadLost = true;
  }
  if (!leadLost) return lead;
  // The largest routine series stopped being routine: find the next largest (rare).
  lead = null;
  for (const series of incident.repeats.values()) {
    const after = flushed.find((entry) => entry.series === series);
    const routine = after?.routine ?? series.routine;
    const size = after?.size ?? seriesSize(series);
    if (routine && (lead === null || size > lead.size))
      lead = { series, size, cv: after?.cv ?? series.intervalCv };
  }
  return lead;
}
