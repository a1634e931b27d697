import type { FeedbackModel } from '../feedback';
import type { HeldFeedback } from './held-feedback';
import type { EvictionCursor } from '../oldest-first';
import type { EvidenceTally, TenantBaseline } from '../scoring';
import type {
  AlertEntity,
  AnalystVerdict,
  AlertSummary,
  EpochMs,
  IntelVerdictAppliedData,
  TenantBudget,
  TenantBudgetLimits,
} from '@soc/contracts';

export type { FeedbackInput, FeedbackRescoreInput } from './feedback-inputs';
export type {
  AlertInput,
  CorrelationInput,
  CorrelationOutput,
  IntelInput,
  RememberedIntelInput,
  RepeatPending,
  TenantConfigInput,
  TickInput,
} from './inputs';
export { isIncidentEvent } from './inputs';
import type { TenantCorrelationPolicy } from './config';
import type { RunningTally } from './tally';

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
  /**
   * Per source (`sourceSystem`), the clocks the watermark follows (see `watermarkOf`); at most
   * MAX_TRACKED_SOURCES, the longest idle forgotten first.
   */
  readonly sources: Map<string, SourceClock>;
  /** Watermark of the last eviction sweep. */
  sweptAt: EpochMs;
  /** Event time between sweeps: a 24th of the longest campaign horizon seen, at least 5 min. */
  sweepEveryMs: number;
  readonly open: Map<string, OpenIncident>;
  /** Entity key (or repeat key) -> the open incidents' links that carry it. */
  readonly index: LinkIndex;
  /**
   * The same for the closed incidents still remembered (`closed` with `retained`): where a
   * revising alert finds the incident it belongs to, however many incidents carried the
   * entity since. Its links leave it when the incident reopens or is forgotten.
   */
  readonly closedIndex: LinkIndex;
  /** Open incidents by deadline bucket (lastSeen + windowMs), for cheap window closing. */
  readonly windowDeadlines: Map<number, Set<OpenIncident>>;
  /** Open incidents by first-seen bucket, for max-span closing. */
  readonly spanStarts: Map<number, Set<OpenIncident>>;
  /** Lowest bucket that may be non-empty in each map. */
  minWindowBucket: number;
  minSpanBucket: number;
  /** Campaign memory: accumulated risk and recent incidents per entity, for the horizon. */
  readonly entities: Map<string, EntityMemory>;
  /**
   * Rules new in the tenant, by rule label: where they fired rare since (incident, entity,
   * time), so the same new rule on another host joins the story (see spread-links.ts).
   */
  readonly rareRules: Map<string, RuleSightings>;
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
  /** What analysts said about past incidents (FeedbackApplied), per rule, entity and pattern. */
  readonly feedback: FeedbackModel;
  /** Alert id -> the incident its row or repeat joined; MAX_INDEXED_ALERTS, oldest out first. */
  readonly alertIncidents: Map<string, string>;
  /** Alert id -> feedback by that id held until the alert lands in an incident, oldest first. */
  readonly heldFeedback: Map<string, HeldFeedback>;
  /** The state budgets in force: the latest TenantBudgetExceeded's limits (see budgets.ts). */
  budgets: TenantBudgetLimits;
  /** Budgets announced under `budgets`. */
  readonly budgetsReached: Set<TenantBudget>;
  /** Links held by the closed incidents kept for revision (they count as linked keys). */
  retainedKeys: number;
  /** Where eviction resumes in each bounded, insertion-ordered Map above (see oldest-first.ts). */
  readonly evictions: Readonly<Record<EvictedMap, EvictionCursor<string>>>;
  /** The latest tenant configuration version taken in (TenantPolicyApplied); 0 before any. */
  policyVersion: number;
  /** The policy that version put in force; null: the correlator's file policy. */
  policy: TenantCorrelationPolicy | null;
}

type EvictedMap = 'entities' | 'closed' | 'alertIncidents' | 'intel';
/** An analyst's close of an incident, as FeedbackApplied recorded it. */
export interface AnalystClose {
  readonly verdict: AnalystVerdict | null;
}

/** One source of a tenant's alerts, as its alerts' summaries (and repeats) show it. */
export interface SourceClock {
  /** Newest event time of its alerts. */
  newestEventTime: EpochMs;
  /** Newest arrival (`ingestedAt`) of its alerts. */
  newestArrival: EpochMs;
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
  /** Set when an analyst closed the incident; cleared when a new alert reopens it. */
  analystClosed: AnalystClose | null;
}

/** Key -> the links that carry it: one link, or a set when several incidents do. */
export type LinkIndex = Map<string, EntityLink | Set<EntityLink>>;

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
  /** The source of its first row: its repeats move that source's clock. */
  readonly source: string;
  readonly ruleId: string | null;
  readonly rule: string;
  /** The entity keys its alerts carry (the repeat key is `key`). */
  readonly entityKeys: readonly string[];
  /** First occurrences (alert rows) in the incident: 1, or more after merges. */
  rows: number;
  /** Counted repeats (the series' counter's totalRepeats). */
  total: number;
  /** Most recent event times, sorted, at most RHYTHM_SAMPLES. */
  times: number[];
  routine: boolean;
  intervalCv: number | null;
  /** Repeats folded since the last flush; null when none. */
  pendingIds: string[] | null;
  pendingTimes: number[] | null;
  /** Newest arrival of the pending repeats; -Infinity when none. */
  pendingArrival: EpochMs;
}

export interface EntityMemory {
  /** Accumulated risk as of `at`, decaying with half-life `halfLifeMs`. */
  risk: number;
  at: EpochMs;
  halfLifeMs: number;
  expiresAt: EpochMs;
  /**
   * The risk each RISK_BUCKET_MS of event time brought over the campaign horizon before `at`,
   * as pairs (bucket start, its risk decayed to the start), oldest first: what a late row
   * reads its risk as of its own time from (risk-history.ts).
   */
  riskBuckets: number[];
  /** Where the history starts: it holds every row since (-Infinity until it first drops any). */
  riskHistoryFrom: EpochMs;
  /** Ids of the most recent incidents that carried the entity, oldest first. */
  readonly incidents: string[];
  /**
   * The most recent incidents that brought unusual activity to the entity (rows with at least
   * NOTABLE_RISK_SHARE of their risk), by the event time of their latest such row, oldest
   * first: the ones its risk links.
   */
  notable: NotableSighting[];
}

export interface NotableSighting {
  incidentId: string;
  readonly at: EpochMs;
}

export interface RuleSighting {
  readonly incidentId: string;
  readonly entityKey: string;
  at: EpochMs;
}

export interface RuleSightings {
  /** When the rule first fired in the tenant (as far as the memory goes). */
  readonly firstAt: EpochMs;
  expiresAt: EpochMs;
  /** The latest per entity, oldest first, at most RULE_SIGHTINGS. */
  readonly sightings: RuleSighting[];
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
/** Sources per tenant whose clocks the watermark follows; beyond, the longest idle is forgotten. */
export const MAX_TRACKED_SOURCES = 64;
export const ENTITY_NOTABLE_INCIDENTS = 8;
export const RULE_SIGHTINGS = 8;
/** Rare rules a tenant remembers sightings of; the least recently seen go first. */
export const MAX_RARE_RULES = 5_000;
/** Eviction sweeps run at most this often (event time). */
export const SWEEP_INTERVAL_MS = 5 * 60_000;
/** Entity risk halves every quarter horizon: a contribution a full horizon old keeps 1/16. */
export const RISK_HALF_LIVES_PER_HORIZON = 4;
/** IncidentScored lists at most this many entities; the alert events carry all of them. */
export const MAX_SCORED_ENTITIES = 100;
/** Verdicts a tenant remembers for alerts to come; intel outlives no more than this. */
export const MAX_REMEMBERED_VERDICTS = 10_000;
/** Alerts whose incident a tenant remembers for feedback by alert id. */
export const MAX_INDEXED_ALERTS = 100_000;

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
