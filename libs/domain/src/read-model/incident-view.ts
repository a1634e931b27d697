import type {
  AlertEntity,
  AlertSummary,
  AnalystVerdict,
  EntityType,
  EpochMs,
  IncidentCloseReason,
  IncidentStatus,
  ScoreExplanation,
} from '@soc/contracts';

/**
 * The analyst's view of one incident: the row of the `incidents` read model. It folds two
 * streams with separate per-stream sequences (the correlator's incident stream and the
 * analysts' feedback stream). The streams arrive on different topics, so the fold is written
 * to give the same row whatever order their events interleave in: every field below is owned
 * by exactly one stream, and `status` is derived from both.
 */
export interface IncidentView {
  readonly tenantId: string;
  readonly incidentId: string;
  /** False while only feedback has been seen for the incident (its opening is still in flight). */
  readonly opened: boolean;

  // Owned by the incident stream.
  readonly title: string;
  readonly priority: number | null;
  readonly explanation: ScoreExplanation | null;
  /** Alerts attached, including repeats folded into counters. */
  readonly alertCount: number;
  /** Per repeat key, the latest total the correlator reported. */
  readonly repeatCounts: Readonly<Record<string, number>>;
  readonly distinctRules: number;
  /** Rule ids (rule name when the source has no id), in first-seen order. */
  readonly rules: readonly string[];
  readonly tactics: readonly string[];
  readonly entities: readonly ViewEntity[];
  /** Event time of the first and last alert. */
  readonly firstSeen: EpochMs | null;
  readonly lastSeen: EpochMs | null;
  /** Event time of IncidentOpened: the start of time-to-acknowledge. */
  readonly openedAt: EpochMs | null;
  readonly maxSeverity: number;
  readonly campaignId: string | null;
  readonly mergedInto: string | null;
  readonly absorbedIncidentIds: readonly string[];
  readonly escalated: boolean;
  /** Why the correlator stopped attaching alerts; the analyst status is independent of it. */
  readonly correlationClosedReason: IncidentCloseReason | null;
  readonly lastIncidentSeq: number;

  // Owned by the feedback stream.
  readonly analystStatus: IncidentStatus;
  readonly assignee: string | null;
  readonly verdict: AnalystVerdict | null;
  readonly verdictNotes: string | null;
  /** The priority an analyst says the incident deserved (training signal for scoring). */
  readonly analystPriority: number | null;
  /** First analyst action that took the incident out of `open`: the end of time-to-acknowledge. */
  readonly acknowledgedAt: EpochMs | null;
  readonly closedAt: EpochMs | null;
  readonly lastFeedbackSeq: number;

  // Derived from both streams.
  /** What the queue shows: an incident merged into another is closed whatever the analysts did. */
  readonly status: IncidentStatus;
  /** Latest event time applied from either stream (deterministic, unlike a wall clock). */
  readonly updatedAt: EpochMs;
}

/** An entity as the incident row keeps it: identity plus the role it was first seen in. */
export interface ViewEntity {
  readonly type: EntityType;
  readonly value: string;
  readonly role: AlertEntity['role'];
}

export type AlertVia = 'opened' | 'attached' | 'late' | 'suppressed';

/** A row of `incident_alerts`: one alert in one incident; repeats are counted, not rowed. */
export interface IncidentAlertRow {
  readonly tenantId: string;
  readonly incidentId: string;
  readonly alert: AlertSummary;
  readonly via: AlertVia;
  /** Entities the alert shares with the incident: why the correlator attached it. */
  readonly linkedBy: readonly AlertEntity[];
  readonly attachedAt: EpochMs;
  readonly eventId: string;
}

export type TimelineStream = 'incident' | 'feedback';

/** A row of the append-only audit trail: what happened, when, and by whom or which rule. */
export interface TimelineEntry {
  readonly tenantId: string;
  readonly incidentId: string;
  readonly eventId: string;
  readonly stream: TimelineStream;
  readonly sequence: number;
  readonly type: string;
  readonly occurredAt: EpochMs;
  readonly actor: string;
  readonly causationId: string;
  readonly summary: string;
  /** JSON-safe details; alert events keep a reference, not the whole alert. */
  readonly details: Readonly<Record<string, unknown>>;
}

/** An entity seen in an incident at a time: feeds `incident_entities` and `entities`. */
export interface EntityTouch {
  readonly tenantId: string;
  readonly incidentId: string;
  readonly type: EntityType;
  readonly value: string;
  readonly seenAt: EpochMs;
}

/**
 * Additive counters for one tenant at one time, summed per hour (`tenant_hourly_stats`) and per
 * minute (`tenant_minute_stats`, for charts of the last minutes).
 */
export interface HourlyStatsDelta {
  readonly tenantId: string;
  /** Start of the hour, epoch ms (UTC). */
  readonly hour: EpochMs;
  /** Start of the minute, epoch ms (UTC). */
  readonly minute: EpochMs;
  readonly alertsIn: number;
  readonly incidentsOpened: number;
  readonly escalations: number;
}

export type SkipReason = 'already-applied' | 'no-incident';

export interface ViewChange {
  /** The view after the event; `undefined` only when there was none and the event names no incident. */
  readonly view: IncidentView | undefined;
  /** False when the event changed nothing (duplicate or already-seen sequence). */
  readonly applied: boolean;
  readonly skipped: SkipReason | null;
  /** The event's sequence jumped past `last + 1`: applied anyway, reported so it is counted. */
  readonly gap: boolean;
  readonly alerts: readonly IncidentAlertRow[];
  readonly timeline: readonly TimelineEntry[];
  readonly entityTouches: readonly EntityTouch[];
  readonly stats: readonly HourlyStatsDelta[];
}
