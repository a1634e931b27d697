import type { FeedbackEvent, IncidentEvent, IncidentStatus } from '@soc/contracts';
import { applyEvent } from './apply-event';
import type { IncidentView, TimelineEntry, TimelineStream, ViewChange } from './incident-view';
import { alertInStats, type Draft } from './view-draft';

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

export { HOUR_MS, MINUTE_MS, hourOf, minuteOf } from './view-draft';

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
