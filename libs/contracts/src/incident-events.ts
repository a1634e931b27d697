import type { AlertEntity, EpochMs, ThreatIntelVerdict } from './alert';
import type { EventEnvelope } from './envelope';
import type { ListsEvery } from './lists';
import type { IntelVerdictRecordedData } from './intel-events';
import type { AnalystVerdict } from './feedback-events';
import type { TenantConfigChange } from './tenant-config-events';

/**
 * The incident stream on `soc.incidents.v1`: the event-sourced log and the source of truth
 * for every read model. Only the correlator writes it. Analyst actions are a separate stream
 * (feedback-events.ts) so that this stream's per-incident sequence has a single writer.
 *
 * Stream ids: an incident's events use the incident id. Events about no incident (an alert
 * suppressed before any incident existed, `data.incidentId` null) use the tenant's own stream
 * `unattached:<tenantId>`, which has its own gap-free sequence.
 */

/** What an incident keeps of each alert: enough for the read model and for scoring. */
export interface AlertSummary {
  readonly alertId: string;
  readonly sourceSystem: string;
  readonly observedAt: EpochMs;
  readonly ingestedAt: EpochMs;
  readonly product: string | null;
  readonly ruleId: string | null;
  readonly ruleName: string | null;
  readonly title: string;
  readonly severity: number;
  readonly confidence: number | null;
  readonly category: string | null;
  readonly tactics: readonly string[];
  readonly techniques: readonly string[];
  readonly entities: readonly AlertEntity[];
  readonly threatIntel: readonly ThreatIntelVerdict[];
  /**
   * Set when the clock-skew guard corrected the alert: the event time the source stamped, too
   * far ahead of its arrival; `observedAt` then holds the arrival time. Null otherwise.
   */
  readonly originalObservedAt: EpochMs | null;
}

export const SCORE_FACTOR_NAMES = [
  'severity',
  'business_context',
  'threat_intel',
  'confidence',
  'freshness',
] as const;
export type ScoreFactorName = (typeof SCORE_FACTOR_NAMES)[number];

export interface ScoreFactor {
  readonly name: ScoreFactorName;
  /** The factor's value before weighting, 0-100. */
  readonly raw: number;
  readonly weight: number;
  /** raw * weight: the points this factor adds to the priority. */
  readonly contribution: number;
  /** Why the raw value is what it is, in words an analyst reads. */
  readonly reason: string;
}

/** Adjustments applied after the weighted sum (routine noise, kill-chain progression). */
export interface ScoreAdjustment {
  readonly name: string;
  readonly points: number;
  readonly reason: string;
}

export interface ScoreExplanation {
  readonly factors: readonly ScoreFactor[];
  readonly adjustments: readonly ScoreAdjustment[];
  readonly summary: string;
}

export interface IncidentOpenedData {
  readonly incidentId: string;
  readonly title: string;
  readonly firstAlert: AlertSummary;
  readonly windowMs: number;
  /**
   * How long the incident's entities stay in the campaign memory after its last alert: the
   * campaign horizon in force when it opened. Recorded so that a replay evicts the same state.
   */
  readonly campaignHorizonMs: number;
}

export interface AlertAttachedData {
  readonly incidentId: string;
  readonly alert: AlertSummary;
  /** The entities this alert shares with the incident: why it was attached. */
  readonly linkedBy: readonly AlertEntity[];
}

/**
 * Repeats of one rule on the same entities (one repeat key), folded into a counter instead of
 * new rows: `alertIds` / `observedAts` are the repeats folded since the previous counter of the
 * key; `totalRepeats` is the running total (the first occurrence, an alert row, is not counted).
 */
export interface RepeatSeriesCount {
  readonly repeatKey: string;
  readonly ruleId: string | null;
  readonly alertIds: readonly string[];
  /** Event time of each alert in `alertIds`, index for index. */
  readonly observedAts: readonly EpochMs[];
  readonly lastObservedAt: EpochMs;
  readonly totalRepeats: number;
  /** True once the repeats have a steady rhythm: the rule is routine noise on this entity. */
  readonly routine: boolean;
  /** Coefficient of variation of the intervals between recent occurrences; null below 3. */
  readonly intervalCv: number | null;
  /**
   * Newest arrival (`ingestedAt`) of the repeats in `alertIds`, so a rebuilt state knows their
   * source kept sending (see the watermark per source); null in events written before it.
   */
  readonly lastIngestedAt: EpochMs | null;
}

/**
 * One repeat counter per event, per repeat key and flush. The correlator writes
 * IncidentRepeatsCounted instead; logs written before it hold these, and every consumer
 * still reads them.
 */
export interface AlertRepeatsCountedData extends RepeatSeriesCount {
  readonly incidentId: string;
}

/**
 * Every repeat counter of one incident with repeats pending at a flush, in one event: one
 * event per incident per flush instead of one per repeat key. Each series is counted as an
 * AlertRepeatsCounted of its own would be, in the order given.
 */
export interface IncidentRepeatsCountedData {
  readonly incidentId: string;
  /** Non-empty, one entry per repeat key. */
  readonly series: readonly RepeatSeriesCount[];
}

/** The repeats a counter event (either shape) puts in its incident, in the order counted. */
export const countedAlertIds = (
  data: AlertRepeatsCountedData | IncidentRepeatsCountedData,
): readonly string[] =>
  'series' in data ? data.series.flatMap((count) => count.alertIds) : data.alertIds;

export interface AlertSuppressedData {
  readonly incidentId: string | null;
  readonly alert: AlertSummary;
  readonly suppressionRuleId: string;
  readonly reason: string;
}

export const LATE_ALERT_OUTCOMES = [
  'attached-to-open-incident',
  'opened-incident',
  'dropped-window-closed',
  'reopened-closed-incident',
] as const;
export type LateAlertOutcome = (typeof LATE_ALERT_OUTCOMES)[number];

/** An alert whose event time is behind the watermark by more than the allowed lateness. */
export interface LateAlertHandledData {
  readonly incidentId: string | null;
  readonly alert: AlertSummary;
  readonly watermark: EpochMs;
  /**
   * `reopened-closed-incident`: within the revision horizon, the closed incident it belongs to
   * was reopened (IncidentReopened) and it joined; `dropped-window-closed` is no longer decided
   * (older logs have it: recorded on the closed incident, which stayed unchanged).
   */
  readonly outcome: LateAlertOutcome;
  readonly reason: string;
}

export interface IncidentsMergedData {
  readonly incidentId: string;
  readonly absorbedIncidentId: string;
  readonly bridgingAlertId: string;
  readonly sharedEntities: readonly AlertEntity[];
}

export interface IncidentMergedIntoData {
  readonly incidentId: string;
  readonly survivorIncidentId: string;
}

export interface IncidentScoredData {
  readonly incidentId: string;
  readonly priority: number;
  readonly previousPriority: number | null;
  readonly explanation: ScoreExplanation;
  readonly alertCount: number;
  readonly distinctRules: number;
  readonly tactics: readonly string[];
  readonly entities: readonly AlertEntity[];
}

export interface IncidentEscalatedData {
  readonly incidentId: string;
  readonly priority: number;
  readonly threshold: number;
}

/**
 * Incidents linked across the campaign horizon by shared entities or accumulated risk. The
 * campaign is the attack story an analyst triages as one item: its id is the story id.
 */
export interface CampaignLinkedData {
  readonly incidentId: string;
  readonly campaignId: string;
  readonly linkedIncidentIds: readonly string[];
  readonly reason: string;
  readonly accumulatedRisk: number;
  /** The story's priority when the link was made: its highest member's; null in older events. */
  readonly storyPriority: number | null;
}

/** `tenant-budget`: the tenant's oldest open incident, closed to make room (TenantBudgetExceeded). */
export const INCIDENT_CLOSE_REASONS = [
  'window-expired',
  'max-span-reached',
  'merged',
  'tenant-budget',
] as const;
export type IncidentCloseReason = (typeof INCIDENT_CLOSE_REASONS)[number];
/**
 * A closed incident is open again, so that an alert that belongs to it joins it: a late alert
 * inside the revision horizon (`late-alert`). Its alerts, tally and links are the ones it had
 * when it closed; it closes again when the watermark passes its window.
 */
export interface IncidentReopenedData {
  readonly incidentId: string;
  readonly cause: 'late-alert';
  /** The alert that reopened it. */
  readonly alertId: string;
  readonly reason: string;
}

export interface IncidentClosedData {
  readonly incidentId: string;
  readonly reason: IncidentCloseReason;
}

/**
 * A threat-intel verdict (an `IntelVerdictRecorded` of `soc.intel.v1`) the correlator took into
 * its state: on an incident's stream when the indicator is among the incident's entities (the
 * intel event's id is the causation, or the alert's when a kept verdict joins the incident of a
 * new alert), else on the tenant's `unattached:<tenant>` stream (`incidentId` null) for alerts
 * still to come. Recorded so that a correlator rebuilt from this
 * log alone scores with the same verdicts, with no provider reachable.
 */
export type IntelVerdictAppliedData = Omit<IntelVerdictRecordedData, 'alertIds'> & {
  readonly incidentId: string | null;
};

/**
 * An analyst action of `soc.feedback.v1` (its event id is the causation) the correlator took
 * into the tenant's feedback model: a verdict, a corrected priority, or a close without a
 * verdict, with the incident's pattern (rules, entities, tactics) as it was then, so that a
 * correlator rebuilt from this log alone learns the same. `alertId` is set when the analyst
 * named an alert rather than the incident.
 */
export interface FeedbackAppliedData {
  readonly incidentId: string;
  readonly analyst: string;
  readonly verdict: AnalystVerdict | null;
  readonly correctPriority: number | null;
  /** The analyst closed the incident (a verdict closes it too). */
  readonly closed: boolean;
  readonly alertId: string | null;
  readonly notes: string | null;
  /**
   * The rules the verdict counts under: every rule of the incident, except that a true
   * positive counts under only the rules that made the incident stand out.
   */
  readonly rules: readonly string[];
  readonly entities: readonly AlertEntity[];
  readonly tactics: readonly string[];
}

/**
 * Feedback by alert id (a PriorityFeedbackGiven with `alertId`) on an alert the correlator has
 * not seen in an incident yet: the alert comes later (a late detector), or the feedback raced
 * ahead of it. Held on the tenant's `unattached:<tenant>` stream, the latest per alert, until
 * the alert lands in an incident (then FeedbackApplied with the alert id, caused by the same
 * feedback event, as if the alert had been seen) or it expires (HeldFeedbackExpired).
 */
export interface FeedbackHeldData {
  readonly incidentId: null;
  readonly alertId: string;
  /** The PriorityFeedbackGiven event's id. */
  readonly feedbackEventId: string;
  readonly analyst: string;
  readonly correctPriority: number;
  readonly notes: string | null;
}

/**
 * Why held feedback was given up: its alert did not land in an incident within the hold's age
 * (`alert-not-seen`), or the tenant held as many as it may and this one was the oldest
 * (`held-feedback-full`).
 */
export const HELD_FEEDBACK_EXPIRY_REASONS = ['alert-not-seen', 'held-feedback-full'] as const;
export type HeldFeedbackExpiryReason = (typeof HELD_FEEDBACK_EXPIRY_REASONS)[number];

/** Held feedback given up, on the tenant's `unattached:<tenant>` stream: nothing learned. */
export interface HeldFeedbackExpiredData {
  readonly incidentId: null;
  readonly alertId: string;
  readonly feedbackEventId: string;
  readonly analyst: string;
  /** Event time it was held at (the FeedbackHeld event's). */
  readonly heldAt: EpochMs;
  readonly reason: HeldFeedbackExpiryReason;
}

export const FOLLOW_UP_OUTCOMES = ['reopened', 'opened-linked-incident'] as const;
export type FollowUpOutcome = (typeof FOLLOW_UP_OUTCOMES)[number];

/**
 * A new alert related to an incident an analyst had closed: with a true-positive verdict (or
 * none) the alert joins it and the incident is open again (`reopened`, on the closed
 * incident's stream); closed as false or benign positive, the alert starts a new incident
 * instead (`opened-linked-incident`, on the new incident's stream), so a closed incident never
 * escalates silently.
 */
export interface ClosedIncidentFollowedUpData {
  readonly incidentId: string;
  readonly closedIncidentId: string;
  readonly alertId: string;
  readonly verdict: AnalystVerdict | null;
  readonly outcome: FollowUpOutcome;
  readonly reason: string;
}

/**
 * A tenant configuration version (`TenantConfigChanged` of `soc.tenant-config.v1`) the
 * correlator took in, on the tenant's `unattached:<tenant>` stream: from the next alert on the
 * tenant is correlated under `policyJson`, the whole resolved CorrelationPolicy (the
 * correlator's file policy for the tenant with the configuration's `correlation` on top).
 * Recorded whole so that a correlator rebuilt from this log alone decides under the same
 * policy, whatever its file says by then. `problems` non-empty: the version could not be
 * resolved against the correlator's file policy and the previous policy stays in force.
 */
export interface TenantPolicyAppliedData {
  readonly incidentId: null;
  readonly version: number;
  /** The TenantConfigChanged event's id. */
  readonly configEventId: string;
  /** The admin who made the change (`admin:<subject>`). */
  readonly changedBy: string;
  readonly change: TenantConfigChange;
  readonly proposalId: string | null;
  readonly reason: string;
  /** The admin's TenantConfigDocument as JSON: what was changed, for the audit. */
  readonly configJson: string;
  readonly policyJson: string;
  readonly problems: readonly string[];
}

export type IncidentOpened = EventEnvelope<'IncidentOpened', IncidentOpenedData>;
export type AlertAttached = EventEnvelope<'AlertAttached', AlertAttachedData>;
export type AlertRepeatsCounted = EventEnvelope<'AlertRepeatsCounted', AlertRepeatsCountedData>;
export type IncidentRepeatsCounted = EventEnvelope<
  'IncidentRepeatsCounted',
  IncidentRepeatsCountedData
>;
export type AlertSuppressed = EventEnvelope<'AlertSuppressed', AlertSuppressedData>;
export type LateAlertHandled = EventEnvelope<'LateAlertHandled', LateAlertHandledData>;
export type IncidentsMerged = EventEnvelope<'IncidentsMerged', IncidentsMergedData>;
export type IncidentMergedInto = EventEnvelope<'IncidentMergedInto', IncidentMergedIntoData>;
export type IncidentScored = EventEnvelope<'IncidentScored', IncidentScoredData>;
export type IncidentEscalated = EventEnvelope<'IncidentEscalated', IncidentEscalatedData>;
export type CampaignLinked = EventEnvelope<'CampaignLinked', CampaignLinkedData>;
/** The correlator's per-tenant state budgets (TenantBudgetExceeded names the one reached). */
export const TENANT_BUDGETS = [
  'open-incidents',
  'linked-keys',
  'tracked-entities',
  'remembered-incidents',
] as const;
export type TenantBudget = (typeof TENANT_BUDGETS)[number];

/** The limit of each budget, in entries. */
export interface TenantBudgetLimits {
  readonly openIncidents: number;
  readonly linkedKeys: number;
  readonly trackedEntities: number;
  readonly rememberedIncidents: number;
}

/**
 * A tenant reached one of its correlator state budgets, on the tenant's `unattached:<tenant>`
 * stream. `limits` are the budgets in force from this event on: the correlator's fold applies
 * them (so a replay bounds its state exactly as the live run did), and what happens at each is
 * in the README (Limits). Once per budget and set of limits.
 */
export interface TenantBudgetExceededData {
  readonly incidentId: null;
  readonly budget: TenantBudget;
  /** Entries in use when the budget was reached. */
  readonly used: number;
  readonly limits: TenantBudgetLimits;
}

export type IncidentClosed = EventEnvelope<'IncidentClosed', IncidentClosedData>;
export type TenantBudgetExceeded = EventEnvelope<'TenantBudgetExceeded', TenantBudgetExceededData>;
export type IncidentReopened = EventEnvelope<'IncidentReopened', IncidentReopenedData>;
export type IntelVerdictApplied = EventEnvelope<'IntelVerdictApplied', IntelVerdictAppliedData>;
export type FeedbackApplied = EventEnvelope<'FeedbackApplied', FeedbackAppliedData>;
export type FeedbackHeld = EventEnvelope<'FeedbackHeld', FeedbackHeldData>;
export type HeldFeedbackExpired = EventEnvelope<'HeldFeedbackExpired', HeldFeedbackExpiredData>;
export type ClosedIncidentFollowedUp = EventEnvelope<
  'ClosedIncidentFollowedUp',
  ClosedIncidentFollowedUpData
>;
export type TenantPolicyApplied = EventEnvelope<'TenantPolicyApplied', TenantPolicyAppliedData>;

export type IncidentEvent =
  | IncidentOpened
  | AlertAttached
  | AlertRepeatsCounted
  | IncidentRepeatsCounted
  | AlertSuppressed
  | LateAlertHandled
  | IncidentsMerged
  | IncidentMergedInto
  | IncidentScored
  | IncidentEscalated
  | CampaignLinked
  | IncidentClosed
  | IncidentReopened
  | IntelVerdictApplied
  | FeedbackApplied
  | FeedbackHeld
  | HeldFeedbackExpired
  | ClosedIncidentFollowedUp
  | TenantBudgetExceeded
  | TenantPolicyApplied;

export type IncidentEventType = IncidentEvent['type'];

export const INCIDENT_EVENT_TYPES = [
  'IncidentOpened',
  'AlertAttached',
  'AlertRepeatsCounted',
  'AlertSuppressed',
  'LateAlertHandled',
  'IncidentsMerged',
  'IncidentMergedInto',
  'IncidentScored',
  'IncidentEscalated',
  'CampaignLinked',
  'IncidentClosed',
  'IncidentReopened',
  'IntelVerdictApplied',
  'FeedbackApplied',
  'ClosedIncidentFollowedUp',
  'TenantBudgetExceeded',
  'TenantPolicyApplied',
  'FeedbackHeld',
  'HeldFeedbackExpired',
  'IncidentRepeatsCounted',
] as const satisfies readonly IncidentEventType[];
const _everyIncidentType: ListsEvery<IncidentEventType, typeof INCIDENT_EVENT_TYPES> = true;
