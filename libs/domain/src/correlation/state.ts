import type { EvidenceTally, TenantBaseline } from '../scoring';
import type {
  AlertEntity,
  AlertSummary,
  CanonicalAlert,
  EpochMs,
  IncidentEvent,
  IntelVerdictAppliedData,
  IntelVerdictRecorded,
  TenantConfigChanged,
} from '@soc/contracts';
import type { TenantCorrelationPolicy } from './config';
import type { AlertKeys } from './entity-keys';
import type { RunningTally } from './tally';

export type CorrelationInput =
  AlertInput | TickInput | IntelInput | RememberedIntelInput | TenantConfigInput;

/** A version of the tenant's configuration (`soc.tenant-config.v1`, see tenant-policy.ts). */
export interface TenantConfigInput {
  readonly kind: 'tenant-config';
  readonly event: TenantConfigChanged;
}

/** A verdict of `soc.intel.v1` (see intel-decide.ts). */
export interface IntelInput {
  readonly kind: 'intel';
  readonly event: IntelVerdictRecorded;
}

/**
 * After an alert's outputs are folded: the verdicts the tenant remembers for its entities
 * join the incident it landed in (see intel-decide.ts).
 */
export interface RememberedIntelInput {
  readonly kind: 'remembered-intel';
  readonly tenantId: string;
  readonly alertId: string;
  readonly incidentId: string;
  readonly entityKeys: readonly string[];
}

export interface AlertInput {
  readonly kind: 'alert';
  readonly alert: CanonicalAlert;
  /**
   * The alert's keys (`alertKeysOf`), when the caller computed them to hand the same keys to
   * `evolveCorrelation`; derived by the decider otherwise.
   */
  readonly keys?: AlertKeys;
}

/**
 * Flushes pending repeat counters and closes what the watermark has passed. Each tenant's
 * watermark follows from its own newest event time by its own allowed lateness (see
 * `watermarkOf`): never from another tenant's alerts, so a tenant that runs ahead (or a bad
 * clock the skew guard let through) closes no other tenant's windows. `watermark` (event
 * time, optional) is a floor every tenant's watermark moves to. `arrivalTime` (wall clock,
 * optional: a shell's idle timer) closes windows on quiet tenants: a tenant none of whose
 * alerts arrived for `idleTimeoutMs` gets the watermark `arrivalTime - idleTimeoutMs`. What
 * such a tick closes is recorded like any tick's decision (IncidentClosed caused by the tick,
 * at the watermark), so a replay rebuilds the same watermark and state.
 */
export interface TickInput {
  readonly kind: 'tick';
  readonly watermark?: EpochMs;
  readonly arrivalTime?: EpochMs;
}

/**
 * The decider's note to itself that a repeat was folded into its series' counter. It is
 * folded by `evolveCorrelation` and never published: the next flush (tick) turns the pending
 * repeats into one AlertRepeatsCounted per series. So between flushes the state holds
 * pending repeats that no published event carries, and at every flush boundary the state is
 * exactly the fold of the published events. Shells commit their input offsets only after a
 * flush, so a restart always resumes from such a boundary.
 */
export interface RepeatPending {
  readonly type: 'RepeatPending';
  readonly tenantId: string;
  readonly incidentId: string;
  readonly repeatKey: string;
  readonly alertId: string;
  readonly observedAt: EpochMs;
}

export type CorrelationOutput = IncidentEvent | RepeatPending;

export const isIncidentEvent = (output: CorrelationOutput): output is IncidentEvent =>
  output.type !== 'RepeatPending';

/**
 * Correlation state: plain Maps keyed by tenant, then by interned `type:value` entity keys.
 * Owned by one fold: `evolveCorrelation` updates it in place and returns it (copying Maps per
 * event would cost more than the whole decision), and `decideCorrelation` only reads it.
 */
export interface CorrelationState {
  readonly tenants: Map<string, TenantState>;
}

export interface TenantState {
  readonly tenantId: string;
  /** IncidentOpened events so far: the counter in incident ids. */
  incidentCounter: number;
  /** Sequence of the tenant's `unattached:<tenant>` stream. */
  unattachedSequence: number;
  /** The watermark recorded by the latest tick-caused event; -Infinity before any. */
  watermark: EpochMs;
  /** Newest alert event time seen; -Infinity before any. */
  maxEventTime: EpochMs;
  /** Newest arrival time (`ingestedAt`) of the alerts the events carry; -Infinity before any. */
  newestArrival: EpochMs;
  /** Watermark of the last eviction sweep. */
  sweptAt: EpochMs;
  /** Event time between sweeps: a 24th of the longest campaign horizon seen, at least 5 min. */
  sweepEveryMs: number;
  readonly open: Map<string, OpenIncident>;
  /** Entity key (or repeat key) -> the open incidents' links that carry it. */
  readonly index: Map<string, EntityLink | Set<EntityLink>>;
  /** Open incidents by deadline bucket (lastSeen + windowMs), for cheap window closing. */
  readonly windowDeadlines: Map<number, Set<OpenIncident>>;
  /** Open incidents by first-seen bucket, for max-span closing. */
  readonly spanStarts: Map<number, Set<OpenIncident>>;
  /** Lowest bucket that may be non-empty in each map. */
  minWindowBucket: number;
  minSpanBucket: number;
  /** Campaign memory: accumulated risk and recent incidents per entity, for the horizon. */
  readonly entities: Map<string, EntityMemory>;
  /** Closed incidents still inside their campaign horizon. */
  readonly closed: Map<string, ClosedIncident>;
  readonly campaigns: Map<string, Campaign>;
  /** Incidents with pending (not yet counted) repeats; empty at every flush boundary. */
  readonly pending: Set<string>;
  /** What is usual for the tenant, learned from the published alert rows and repeats. */
  readonly baseline: TenantBaseline;
  /**
   * Threat-intel verdicts by entity key (`ip:203.0.113.7`), then provider: the latest by
   * fetchedAt, until expiresAt; at most MAX_REMEMBERED_VERDICTS, the oldest recorded first out.
   */
  readonly intel: Map<string, Map<string, RememberedVerdict>>;
  /** Verdicts in `intel`. */
  intelCount: number;
  /** The latest tenant configuration version taken in (TenantPolicyApplied); 0 before any. */
  policyVersion: number;
  /** The policy that version put in force; null: the correlator's file policy. */
  policy: TenantCorrelationPolicy | null;
}

/** A verdict as IntelVerdictApplied records it, without the incident. */
export type RememberedVerdict = Omit<IntelVerdictAppliedData, 'incidentId'>;

export interface OpenIncident {
  readonly id: string;
  readonly tenantId: string;
  /** Opening order in the tenant: the tie-break for "oldest". */
  readonly ordinal: number;
  readonly title: string;
  readonly windowMs: number;
  readonly horizonMs: number;
  sequence: number;
  /** Event times of the alerts published on the incident's stream. */
  firstSeen: EpochMs;
  lastSeen: EpochMs;
  /**
   * Event times of repeats not yet counted (±Infinity when none). Kept apart from firstSeen /
   * lastSeen so that what the published events say stays exactly the fold of them; decisions
   * read both through `firstSeenOf` / `lastSeenOf`.
   */
  pendingFirstSeen: EpochMs;
  pendingLastSeen: EpochMs;
  windowBucket: number;
  spanBucket: number;
  /** Every entity key and repeat key of the incident's alerts. */
  readonly links: Map<string, EntityLink>;
  /** Distinct entities in first-seen order. */
  readonly entities: AlertEntity[];
  /** What scoring reads of the alert rows and counted repeats. */
  readonly tally: RunningTally;
  /** The first rule; `rules` holds them all once there is a second. */
  readonly rule: string;
  rules: Set<string> | null;
  /** Tactics that are not ATT&CK enterprise tactics, as given (a shared empty list until one). */
  otherTactics: readonly string[];
  readonly repeats: Map<string, RepeatSeries>;
  /** Alerts in routine series, and the largest routine series (for the explanation). */
  routineAlerts: number;
  routineLead: RepeatSeries | null;
  /** Series with pending repeats (null when none): a flush visits only these. */
  pendingSeries: RepeatSeries[] | null;
  priority: number | null;
  escalated: boolean;
  campaignId: string | null;
  mergedInto: string | null;
  /** What its rows carried against the tenant's baseline when they arrived. */
  evidence: EvidenceTally;
  /** Verdicts applied to the incident by entity key, then provider; null before the first. */
  intel: Map<string, Map<string, RememberedVerdict>> | null;
}

export interface EntityLink {
  incident: OpenIncident;
  readonly key: string;
  /** Null for a repeat key. */
  readonly entity: AlertEntity | null;
  /**
   * Event-time range of the incident's alerts that carry the key. Inside a range consecutive
   * alerts are less than a window apart, so a new alert is less than a window from one of them
   * exactly when it is less than a window from the range. `more` holds further ranges
   * `[min, max, ...]` (rare: the key recurred in the incident after a gap of a window).
   */
  min: EpochMs;
  max: EpochMs;
  more: number[] | null;
}

export interface RepeatSeries {
  readonly key: string;
  readonly ruleId: string | null;
  readonly rule: string;
  /** The entity keys its alerts carry (the repeat key is `key`). */
  readonly entityKeys: readonly string[];
  /** First occurrences (alert rows) in the incident: 1, or more after merges. */
  rows: number;
  /** Counted repeats (AlertRepeatsCounted.totalRepeats). */
  total: number;
  /** Most recent event times, sorted, at most RHYTHM_SAMPLES. */
  times: number[];
  routine: boolean;
  intervalCv: number | null;
  /** Repeats folded since the last flush; null when none. */
  pendingIds: string[] | null;
  pendingTimes: number[] | null;
}

export interface EntityMemory {
  /** Accumulated risk as of `at`, decaying with half-life `halfLifeMs`. */
  risk: number;
  at: EpochMs;
  halfLifeMs: number;
  expiresAt: EpochMs;
  /** Ids of the most recent incidents that carried the entity, oldest first. */
  readonly incidents: string[];
}

export interface ClosedIncident {
  readonly id: string;
  readonly ordinal: number;
  sequence: number;
  readonly firstSeen: EpochMs;
  readonly lastSeen: EpochMs;
  readonly windowMs: number;
  readonly horizonMs: number;
  readonly expiresAt: EpochMs;
  priority: number | null;
  campaignId: string | null;
  readonly mergedInto: string | null;
  /**
   * The incident as it was when it closed (not for merged-away ones), so a late alert inside
   * the revision horizon can reopen it (IncidentReopened) with its alerts, links and tally.
   */
  readonly retained: OpenIncident | null;
}

/** Lives as long as one of its members is open or remembered. */
export interface Campaign {
  readonly id: string;
  rootOrdinal: number;
  readonly members: string[];
}

export const DEADLINE_BUCKET_MS = 10_000;
export const RHYTHM_SAMPLES = 16;
export const ENTITY_RECENT_INCIDENTS = 8;
/** Eviction sweeps run at most this often (event time). */
export const SWEEP_INTERVAL_MS = 5 * 60_000;
/** Entity risk halves every quarter horizon: a contribution a full horizon old keeps 1/16. */
export const RISK_HALF_LIVES_PER_HORIZON = 4;
/** IncidentScored lists at most this many entities; the alert events carry all of them. */
export const MAX_SCORED_ENTITIES = 100;
/** Verdicts a tenant remembers for alerts to come; intel outlives no more than this. */
export const MAX_REMEMBERED_VERDICTS = 10_000;

export const initialCorrelationState = (): CorrelationState => ({ tenants: new Map() });

/** Shared by every incident without unusual tactics; replaced, never mutated. */
export const NO_TACTICS: readonly string[] = Object.freeze([]);

export const ruleCount = (incident: OpenIncident): number => incident.rules?.size ?? 1;
export const seriesSize = (series: RepeatSeries): number => series.rows + series.total;

/** The largest routine series of an incident, by a scan (when the previous one stops being routine). */
export function largestRoutineSeries(incident: OpenIncident): RepeatSeries | null {
  let lead: RepeatSeries | null = null;
  for (const series of incident.repeats.values()) {
    if (series.routine && (lead === null || seriesSize(series) > seriesSize(lead))) lead = series;
  }
  return lead;
}
export const hasRule = (incident: OpenIncident, rule: string): boolean =>
  incident.rules === null ? incident.rule === rule : incident.rules.has(rule);

export const bucketOf = (time: EpochMs): number => Math.floor(time / DEADLINE_BUCKET_MS);

/** The incident's earliest and latest alert, pending repeats included. */
export const firstSeenOf = (incident: OpenIncident): EpochMs =>
  Math.min(incident.firstSeen, incident.pendingFirstSeen);
export const lastSeenOf = (incident: OpenIncident): EpochMs =>
  Math.max(incident.lastSeen, incident.pendingLastSeen);

/**
 * The risk one alert adds to each of its entities (risk-based alerting): severity scaled by
 * the source's confidence (missing: 0.75) and by threat intel (malicious x1.5, suspicious
 * x1.2). A fixed formula of the alert alone, so a replay recomputes it without configuration.
 */
export function alertRisk(
  alert: Pick<AlertSummary, 'severity' | 'confidence' | 'threatIntel'>,
): number {
  const confidence =
    alert.confidence === null ? 0.75 : 0.5 + Math.min(100, Math.max(0, alert.confidence)) / 200;
  let intel = 1;
  for (const verdict of alert.threatIntel) {
    if (verdict.verdict === 'malicious') intel = 1.5;
    else if (verdict.verdict === 'suspicious' && intel < 1.2) intel = 1.2;
  }
  return Math.round(Math.min(100, Math.max(0, alert.severity)) * confidence * intel * 10) / 10;
}

/**
 * The entity's accumulated risk with `contribution` added at `time`, evaluated at the later of
 * `time` and the entry's own time. Decay makes the sum independent of arrival order.
 */
export function accumulatedRisk(
  memory: EntityMemory | undefined,
  time: EpochMs,
  contribution: number,
): number {
  if (memory === undefined) return contribution;
  const at = Math.max(time, memory.at);
  return (
    memory.risk * Math.pow(0.5, (at - memory.at) / memory.halfLifeMs) +
    contribution * Math.pow(0.5, (at - time) / memory.halfLifeMs)
  );
}

/** Is `time` less than a window from one of the link's ranges? */
export function withinLink(link: EntityLink, time: EpochMs, windowMs: number): boolean {
  if (time > link.min - windowMs && time < link.max + windowMs) return true;
  const more = link.more;
  if (more === null) return false;
  for (let i = 0; i < more.length; i += 2) {
    if (time > (more[i] as number) - windowMs && time < (more[i + 1] as number) + windowMs)
      return true;
  }
  return false;
}

/**
 * The rhythm of a sorted list of occurrence times: mean interval and coefficient of variation
 * of the intervals; null below three occurrences or when all share one instant.
 */
export function rhythmOf(
  times: readonly number[],
): { readonly meanMs: number; readonly cv: number } | null {
  if (times.length < 3) return null;
  const n = times.length - 1;
  const mean = ((times[n] as number) - (times[0] as number)) / n;
  if (mean <= 0) return null;
  let squares = 0;
  for (let i = 1; i <= n; i += 1) {
    const gap = (times[i] as number) - (times[i - 1] as number) - mean;
    squares += gap * gap;
  }
  return { meanMs: mean, cv: Math.sqrt(squares / n) / mean };
}

/** Inserts into a sorted list, keeping at most `limit` of the latest times. */
export function insertSortedBounded(times: number[], time: number, limit: number): void {
  let i = times.length;
  while (i > 0 && (times[i - 1] as number) > time) i -= 1;
  times.splice(i, 0, time);
  if (times.length > limit) times.splice(0, times.length - limit);
}
