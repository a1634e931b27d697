import type {
  AlertEntity,
  AlertSummary,
  EpochMs,
  FeedbackEvent,
  IncidentEvent,
  IncidentStatus,
} from '@soc/contracts';
import type {
  EntityTouch,
  HourlyStatsDelta,
  IncidentAlertRow,
  IncidentView,
  TimelineEntry,
  TimelineStream,
  ViewChange,
  ViewEntity,
} from './incident-view';

export type ReadModelEvent = IncidentEvent | FeedbackEvent;

const FEEDBACK_TYPES: ReadonlySet<string> = new Set<FeedbackEvent['type']>([
  'IncidentAcknowledged',
  'IncidentAssigned',
  'IncidentStatusChanged',
  'IncidentVerdictGiven',
  'PriorityFeedbackGiven',
]);

export const isFeedbackEvent = (event: ReadModelEvent): event is FeedbackEvent =>
  FEEDBACK_TYPES.has(event.type);

export const streamOf = (event: ReadModelEvent): TimelineStream =>
  isFeedbackEvent(event) ? 'feedback' : 'incident';

/**
 * The incident an event belongs to, or null for events about no incident (an alert
 * suppressed or dropped before any incident existed): those only count in the hourly stats.
 * Feedback streams are keyed by incident id, so their stream id names the incident.
 */
export function incidentIdOf(event: ReadModelEvent): string | null {
  if (isFeedbackEvent(event)) return event.streamId;
  return event.data.incidentId;
}

export interface EvolveContext {
  /**
   * Another incident's current view, for merges: the survivor takes over the absorbed
   * incident's alerts, rules, tactics and entities. Both incidents are in one tenant, hence one
   * partition, so the absorbed view is complete when the merge event is applied.
   */
  readonly lookup?: (incidentId: string) => IncidentView | undefined;
}

export const HOUR_MS = 3_600_000;
export const hourOf = (time: EpochMs): EpochMs => Math.floor(time / HOUR_MS) * HOUR_MS;

/** A view for an incident nothing is known about yet. */
export function emptyIncidentView(tenantId: string, incidentId: string): IncidentView {
  return {
    tenantId,
    incidentId,
    opened: false,
    title: '',
    priority: null,
    explanation: null,
    alertCount: 0,
    repeatCounts: {},
    distinctRules: 0,
    rules: [],
    tactics: [],
    entities: [],
    firstSeen: null,
    lastSeen: null,
    openedAt: null,
    maxSeverity: 0,
    campaignId: null,
    mergedInto: null,
    absorbedIncidentIds: [],
    escalated: false,
    correlationClosedReason: null,
    lastIncidentSeq: 0,
    analystStatus: 'open',
    assignee: null,
    verdict: null,
    verdictNotes: null,
    analystPriority: null,
    acknowledgedAt: null,
    closedAt: null,
    lastFeedbackSeq: 0,
    status: 'open',
    updatedAt: 0,
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface Draft {
  view: Mutable<IncidentView>;
  readonly alerts: IncidentAlertRow[];
  readonly touches: EntityTouch[];
  readonly stats: HourlyStatsDelta[];
  summary: string;
  details: Record<string, unknown>;
}

const noChange = (view: IncidentView | undefined, skipped: ViewChange['skipped']): ViewChange => ({
  view,
  applied: false,
  skipped,
  gap: false,
  alerts: [],
  timeline: [],
  entityTouches: [],
  stats: [],
});

/**
 * Folds one incident or feedback event into the incident's view and says which rows to
 * append. Pure: same view and event, same result. An event whose per-stream sequence the view
 * has already applied changes nothing, so redelivery is harmless. Events with a sequence gap
 * are applied anyway (a projection builds the best read model it can) and flagged.
 */
export function evolveIncidentView(
  view: IncidentView | undefined,
  event: ReadModelEvent,
  context: EvolveContext = {},
): ViewChange {
  const incidentId = incidentIdOf(event);
  if (incidentId === null) {
    // Nothing to show per incident; the alert still arrived and counts as alerts in.
    const stats = alertInStats(event);
    return { ...noChange(view, 'no-incident'), applied: stats.length > 0, stats };
  }
  const stream = streamOf(event);
  const base = view ?? emptyIncidentView(event.tenantId, incidentId);
  // The sequence belongs to the event's stream; it guards the view only when that stream is
  // the incident's own (the correlator keys incident streams by incident id).
  const ownStream = event.streamId === incidentId;
  const lastApplied = stream === 'incident' ? base.lastIncidentSeq : base.lastFeedbackSeq;
  if (ownStream && event.sequence <= lastApplied) return noChange(view, 'already-applied');

  const draft: Draft = {
    view: { ...base },
    alerts: [],
    touches: [],
    stats: [],
    summary: event.type,
    details: {},
  };
  applyEvent(draft, event, context);

  const next = draft.view;
  if (ownStream) {
    if (stream === 'incident') next.lastIncidentSeq = event.sequence;
    else next.lastFeedbackSeq = event.sequence;
  }
  next.updatedAt = Math.max(next.updatedAt, event.occurredAt);
  next.status = deriveStatus(next);

  const timeline: TimelineEntry = {
    tenantId: event.tenantId,
    incidentId,
    eventId: event.eventId,
    stream,
    sequence: event.sequence,
    type: event.type,
    occurredAt: event.occurredAt,
    actor: event.actor,
    causationId: event.causationId,
    summary: draft.summary,
    details: draft.details,
  };
  return {
    view: next,
    applied: true,
    skipped: null,
    gap: ownStream && event.sequence > lastApplied + 1,
    alerts: draft.alerts,
    timeline: [timeline],
    entityTouches: draft.touches,
    stats: draft.stats,
  };
}

const deriveStatus = (view: IncidentView): IncidentStatus =>
  view.mergedInto !== null ? 'closed' : view.analystStatus;

function applyEvent(draft: Draft, event: ReadModelEvent, context: EvolveContext): void {
  const v = draft.view;
  switch (event.type) {
    case 'IncidentOpened': {
      const { title, firstAlert, windowMs } = event.data;
      v.opened = true;
      v.title = title;
      v.openedAt = event.occurredAt;
      addAlert(draft, firstAlert, 'opened', [], event.eventId, event.occurredAt);
      draft.stats.push(stat(event.tenantId, event.occurredAt, { incidentsOpened: 1 }));
      draft.summary = `Incident opened: ${title}`;
      draft.details = { ...alertRef(firstAlert), windowMs };
      return;
    }
    case 'AlertAttached': {
      const { alert, linkedBy } = event.data;
      addAlert(draft, alert, 'attached', linkedBy, event.eventId, event.occurredAt);
      draft.summary = `Alert attached: ${alert.title}${ruleSuffix(alert)}${linkedSuffix(linkedBy)}`;
      draft.details = { ...alertRef(alert), linkedBy: entityRefs(linkedBy) };
      return;
    }
    case 'AlertRepeatsCounted': {
      const { repeatKey, ruleId, alertIds, lastObservedAt, totalRepeats, routine } = event.data;
      const previous = v.repeatCounts[repeatKey] ?? 0;
      const added = Math.max(0, totalRepeats - previous);
      v.repeatCounts = { ...v.repeatCounts, [repeatKey]: Math.max(previous, totalRepeats) };
      v.alertCount += added;
      if (ruleId !== null) addRule(v, ruleId);
      v.lastSeen = maxTime(v.lastSeen, lastObservedAt);
      // The repeats folded since the previous counter event, each in the hour it was seen.
      const times =
        event.data.observedAts.length === added
          ? event.data.observedAts
          : Array<number>(added).fill(lastObservedAt);
      for (const time of times) draft.stats.push(stat(event.tenantId, time, { alertsIn: 1 }));
      draft.summary =
        `${totalRepeats} repeats of ${ruleId === null ? 'one rule' : `rule ${ruleId}`}` +
        (routine ? ' (routine rhythm)' : '');
      draft.details = {
        repeatKey,
        ruleId,
        alertIds: [...alertIds],
        lastObservedAt,
        totalRepeats,
        routine,
      };
      return;
    }
    case 'AlertSuppressed': {
      const { alert, suppressionRuleId, reason } = event.data;
      draft.alerts.push(alertRow(v, alert, 'suppressed', [], event.eventId, event.occurredAt));
      draft.stats.push(...alertInStats(event));
      draft.summary = `Alert suppressed by ${suppressionRuleId}: ${reason}`;
      draft.details = { ...alertRef(alert), suppressionRuleId, reason };
      return;
    }
    case 'LateAlertHandled': {
      // An explanation, not a carrier: an alert that was attached or opened an incident also
      // arrives as AlertAttached / IncidentOpened, which count it. Dropped ones count here.
      const { alert, watermark, outcome, reason } = event.data;
      draft.stats.push(...alertInStats(event));
      draft.summary = `Late alert ${outcome.replace(/-/g, ' ')}: ${reason}`;
      draft.details = { ...alertRef(alert), watermark, outcome, reason };
      return;
    }
    case 'IncidentsMerged': {
      const { absorbedIncidentId, bridgingAlertId, sharedEntities } = event.data;
      if (!v.absorbedIncidentIds.includes(absorbedIncidentId)) {
        v.absorbedIncidentIds = [...v.absorbedIncidentIds, absorbedIncidentId];
        const absorbed = context.lookup?.(absorbedIncidentId);
        if (absorbed) absorb(draft, absorbed, event.occurredAt);
      }
      draft.summary = `Absorbed incident ${absorbedIncidentId} via alert ${bridgingAlertId}`;
      draft.details = {
        absorbedIncidentId,
        bridgingAlertId,
        sharedEntities: entityRefs(sharedEntities),
      };
      return;
    }
    case 'IncidentMergedInto': {
      v.mergedInto = event.data.survivorIncidentId;
      draft.summary = `Merged into incident ${event.data.survivorIncidentId}`;
      draft.details = { survivorIncidentId: event.data.survivorIncidentId };
      return;
    }
    case 'IncidentScored': {
      const {
        priority,
        previousPriority,
        explanation,
        alertCount,
        distinctRules,
        tactics,
        entities,
      } = event.data;
      v.priority = priority;
      v.explanation = explanation;
      // The correlator may count what this view never saw (merges, folded repeats); counts
      // only grow, so the larger figure is the better one whatever the order.
      v.alertCount = Math.max(v.alertCount, alertCount);
      for (const tactic of tactics) addTactic(v, tactic);
      addEntities(draft, entities, event.occurredAt);
      v.distinctRules = Math.max(v.distinctRules, distinctRules);
      draft.summary =
        previousPriority === null
          ? `Scored priority ${priority}`
          : `Priority ${previousPriority} → ${priority}`;
      draft.details = {
        priority,
        previousPriority,
        summary: explanation.summary,
        alertCount,
        distinctRules,
      };
      return;
    }
    case 'IncidentEscalated': {
      const { priority, threshold } = event.data;
      if (!v.escalated)
        draft.stats.push(stat(event.tenantId, event.occurredAt, { escalations: 1 }));
      v.escalated = true;
      draft.summary = `Escalated: priority ${priority} reached threshold ${threshold}`;
      draft.details = { priority, threshold };
      return;
    }
    case 'CampaignLinked': {
      const { campaignId, linkedIncidentIds, reason, accumulatedRisk } = event.data;
      v.campaignId = campaignId;
      draft.summary = `Linked to campaign ${campaignId}: ${reason}`;
      draft.details = {
        campaignId,
        linkedIncidentIds: [...linkedIncidentIds],
        reason,
        accumulatedRisk,
      };
      return;
    }
    case 'IncidentClosed': {
      v.correlationClosedReason = event.data.reason;
      draft.summary = `Correlation window closed (${event.data.reason})`;
      draft.details = { reason: event.data.reason };
      return;
    }
    case 'IncidentAcknowledged': {
      if (v.analystStatus === 'open') v.analystStatus = 'acknowledged';
      v.acknowledgedAt ??= event.occurredAt;
      draft.summary = 'Acknowledged';
      return;
    }
    case 'IncidentAssigned': {
      v.assignee = event.data.assignee;
      draft.summary = `Assigned to ${event.data.assignee}`;
      draft.details = { assignee: event.data.assignee };
      return;
    }
    case 'IncidentStatusChanged': {
      const { status, notes } = event.data;
      v.analystStatus = status;
      if (status !== 'open') v.acknowledgedAt ??= event.occurredAt;
      v.closedAt = status === 'closed' ? event.occurredAt : null;
      draft.summary = `Status changed to ${status}${notes ? `: ${notes}` : ''}`;
      draft.details = { status, notes };
      return;
    }
    case 'IncidentVerdictGiven': {
      const { verdict, notes } = event.data;
      v.verdict = verdict;
      v.verdictNotes = notes;
      v.analystStatus = 'closed';
      v.closedAt = event.occurredAt;
      v.acknowledgedAt ??= event.occurredAt;
      draft.summary = `Closed as ${verdict.replace(/_/g, ' ')}${notes ? `: ${notes}` : ''}`;
      draft.details = { verdict, notes };
      return;
    }
    case 'PriorityFeedbackGiven': {
      const { alertId, correctPriority, analystNotes } = event.data;
      // Feedback on one alert trains scoring but does not re-rank the incident.
      if (alertId === null) v.analystPriority = correctPriority;
      draft.summary =
        `Priority feedback: should be ${correctPriority}` +
        (alertId === null ? '' : ` for alert ${alertId}`) +
        (analystNotes ? ` (${analystNotes})` : '');
      draft.details = { alertId, correctPriority, analystNotes };
      return;
    }
    default: {
      const unreachable: never = event;
      throw new Error(`unhandled read-model event ${JSON.stringify(unreachable)}`);
    }
  }
}

function alertInStats(event: ReadModelEvent): HourlyStatsDelta[] {
  if (event.type === 'AlertSuppressed') {
    return [stat(event.tenantId, event.data.alert.observedAt, { alertsIn: 1 })];
  }
  if (event.type === 'LateAlertHandled' && event.data.outcome === 'dropped-window-closed') {
    return [stat(event.tenantId, event.data.alert.observedAt, { alertsIn: 1 })];
  }
  return [];
}

function stat(
  tenantId: string,
  time: EpochMs,
  counts: Partial<Pick<HourlyStatsDelta, 'alertsIn' | 'incidentsOpened' | 'escalations'>>,
): HourlyStatsDelta {
  return {
    tenantId,
    hour: hourOf(time),
    alertsIn: counts.alertsIn ?? 0,
    incidentsOpened: counts.incidentsOpened ?? 0,
    escalations: counts.escalations ?? 0,
  };
}

function addAlert(
  draft: Draft,
  alert: AlertSummary,
  via: 'opened' | 'attached',
  linkedBy: readonly AlertEntity[],
  eventId: string,
  occurredAt: EpochMs,
): void {
  const v = draft.view;
  v.alertCount += 1;
  const rule = alert.ruleId ?? alert.ruleName;
  if (rule !== null) addRule(v, rule);
  for (const tactic of alert.tactics) addTactic(v, tactic);
  addEntities(draft, alert.entities, alert.observedAt);
  v.firstSeen = minTime(v.firstSeen, alert.observedAt);
  v.lastSeen = maxTime(v.lastSeen, alert.observedAt);
  v.maxSeverity = Math.max(v.maxSeverity, alert.severity);
  draft.alerts.push(alertRow(v, alert, via, linkedBy, eventId, occurredAt));
  draft.stats.push(stat(v.tenantId, alert.observedAt, { alertsIn: 1 }));
}

function alertRow(
  v: IncidentView,
  alert: AlertSummary,
  via: IncidentAlertRow['via'],
  linkedBy: readonly AlertEntity[],
  eventId: string,
  attachedAt: EpochMs,
): IncidentAlertRow {
  return {
    tenantId: v.tenantId,
    incidentId: v.incidentId,
    alert,
    via,
    linkedBy,
    attachedAt,
    eventId,
  };
}

function absorb(draft: Draft, absorbed: IncidentView, at: EpochMs): void {
  const v = draft.view;
  v.alertCount += absorbed.alertCount;
  for (const rule of absorbed.rules) addRule(v, rule);
  for (const tactic of absorbed.tactics) addTactic(v, tactic);
  addEntities(draft, absorbed.entities, absorbed.lastSeen ?? at);
  if (absorbed.firstSeen !== null) v.firstSeen = minTime(v.firstSeen, absorbed.firstSeen);
  if (absorbed.lastSeen !== null) v.lastSeen = maxTime(v.lastSeen, absorbed.lastSeen);
  v.maxSeverity = Math.max(v.maxSeverity, absorbed.maxSeverity);
}

function addRule(v: Mutable<IncidentView>, rule: string): void {
  if (v.rules.includes(rule)) return;
  v.rules = [...v.rules, rule];
  // Never above what is known for sure; IncidentScored raises it when the correlator knows more.
  v.distinctRules = Math.max(v.distinctRules, v.rules.length);
}

function addTactic(v: Mutable<IncidentView>, tactic: string): void {
  if (!v.tactics.includes(tactic)) v.tactics = [...v.tactics, tactic];
}

function addEntities(
  draft: Draft,
  entities: readonly Pick<AlertEntity, 'type' | 'value' | 'role'>[],
  seenAt: EpochMs,
): void {
  const v = draft.view;
  let next: ViewEntity[] | undefined;
  for (const entity of entities) {
    draft.touches.push({
      tenantId: v.tenantId,
      incidentId: v.incidentId,
      type: entity.type,
      value: entity.value,
      seenAt,
    });
    const current = next ?? v.entities;
    if (current.some((known) => known.type === entity.type && known.value === entity.value))
      continue;
    next = [...current, { type: entity.type, value: entity.value, role: entity.role }];
  }
  if (next) v.entities = next;
}

const minTime = (a: EpochMs | null, b: EpochMs): EpochMs => (a === null ? b : Math.min(a, b));
const maxTime = (a: EpochMs | null, b: EpochMs): EpochMs => (a === null ? b : Math.max(a, b));

const alertRef = (alert: AlertSummary): Record<string, unknown> => ({
  alertId: alert.alertId,
  title: alert.title,
  ruleId: alert.ruleId,
  ruleName: alert.ruleName,
  severity: alert.severity,
  observedAt: alert.observedAt,
});

const entityRefs = (entities: readonly AlertEntity[]): { type: string; value: string }[] =>
  entities.map(({ type, value }) => ({ type, value }));

const ruleSuffix = (alert: AlertSummary): string => {
  const rule = alert.ruleName ?? alert.ruleId;
  return rule === null ? '' : ` (rule ${rule})`;
};

const linkedSuffix = (linkedBy: readonly AlertEntity[]): string =>
  linkedBy.length === 0
    ? ''
    : `, linked by ${linkedBy.map((e) => `${e.type} ${e.value}`).join(', ')}`;
