import type { AlertEntity, IncidentEvent } from '@soc/contracts';
import type { IncidentView, ViewEntity } from '@soc/domain';

/** What a receiver hears about: the four documented changes, plus `updated` for case tools. */
export const INCIDENT_CHANGES = ['opened', 'escalated', 'updated', 'merged', 'closed'] as const;
export type IncidentChange = (typeof INCIDENT_CHANGES)[number];

/** The incident as it stands right after the change, in receiver-facing terms. */
export interface IncidentSnapshot {
  readonly tenantId: string;
  readonly incidentId: string;
  readonly title: string;
  readonly priority: number | null;
  readonly escalated: boolean;
  readonly status: IncidentView['status'];
  readonly alertCount: number;
  readonly firstSeen: number | null;
  readonly lastSeen: number | null;
  readonly maxSeverity: number;
  readonly rules: readonly string[];
  readonly tactics: readonly string[];
  readonly entities: readonly ViewEntity[];
  readonly mergedInto: string | null;
  readonly absorbedIncidentIds: readonly string[];
  readonly campaignId: string | null;
  readonly summary: string | null;
}

export type ChangeDetails =
  | { readonly change: 'opened' }
  | { readonly change: 'escalated'; readonly priority: number; readonly threshold: number }
  | { readonly change: 'updated'; readonly eventType: IncidentEvent['type'] }
  | {
      readonly change: 'merged';
      readonly absorbedIncidentId: string;
      readonly sharedEntities: readonly AlertEntity[];
    }
  | { readonly change: 'closed'; readonly reason: string };

export interface IncidentNotification {
  /**
   * `<tenant>/<incident>/<sequence>`: the incident stream's gap-free sequence makes it unique
   * per change and stable across redeliveries, so a receiver that keeps the keys it has seen
   * drops the duplicates that at-least-once delivery sends after a restart.
   */
  readonly idempotencyKey: string;
  readonly sequence: number;
  readonly eventId: string;
  /** Event time of the change. */
  readonly occurredAt: number;
  readonly details: ChangeDetails;
  readonly incident: IncidentSnapshot;
  /** Entities the change added to the incident (new observables for case tools). */
  readonly newEntities: readonly ViewEntity[];
}

/** Which change an incident event is; null for events no receiver is told about. */
export function changeOf(event: IncidentEvent): ChangeDetails | null {
  switch (event.type) {
    case 'IncidentOpened':
      return { change: 'opened' };
    case 'IncidentEscalated':
      return {
        change: 'escalated',
        priority: event.data.priority,
        threshold: event.data.threshold,
      };
    case 'IncidentsMerged':
      return {
        change: 'merged',
        absorbedIncidentId: event.data.absorbedIncidentId,
        sharedEntities: event.data.sharedEntities,
      };
    case 'IncidentClosed':
      return { change: 'closed', reason: event.data.reason };
    case 'AlertAttached':
    case 'AlertRepeatsCounted':
    case 'IncidentRepeatsCounted':
    case 'IncidentScored':
    case 'CampaignLinked':
      return { change: 'updated', eventType: event.type };
    case 'IncidentReopened':
    case 'ClosedIncidentFollowedUp':
      return { change: 'updated', eventType: event.type };
    case 'LateAlertHandled':
      return event.data.outcome === 'attached-to-open-incident' ||
        event.data.outcome === 'reopened-closed-incident'
        ? { change: 'updated', eventType: event.type }
        : null;
    // A suppressed alert leaves the incident as it was; an absorbed incident's closing
    // (IncidentClosed, reason merged) is what its receivers hear about; an applied verdict is
    // heard through the IncidentScored that follows it when it changes the priority.
    case 'AlertSuppressed':
    case 'IncidentMergedInto':
    case 'IntelVerdictApplied':
    case 'FeedbackApplied':
    case 'TenantBudgetExceeded':
    case 'TenantPolicyApplied':
    case 'FeedbackHeld':
    case 'HeldFeedbackExpired':
      return null;
    default: {
      const unreachable: never = event;
      return unreachable;
    }
  }
}

export function snapshotOf(view: IncidentView): IncidentSnapshot {
  return {
    tenantId: view.tenantId,
    incidentId: view.incidentId,
    title: view.title,
    priority: view.priority,
    escalated: view.escalated,
    status: view.status,
    alertCount: view.alertCount,
    firstSeen: view.firstSeen,
    lastSeen: view.lastSeen,
    maxSeverity: view.maxSeverity,
    rules: view.rules,
    tactics: view.tactics,
    entities: view.entities,
    mergedInto: view.mergedInto,
    absorbedIncidentIds: view.absorbedIncidentIds,
    campaignId: view.campaignId,
    summary: view.explanation?.summary ?? null,
  };
}

const entityKey = (entity: ViewEntity): string => `${entity.type}\u0000${entity.value}`;

export interface NotificationInput {
  readonly event: IncidentEvent;
  /** The view before the event (undefined for a new incident) and after it. */
  readonly before: IncidentView | undefined;
  readonly after: IncidentView;
}

/** The notification one applied incident event gives, or null when receivers hear nothing. */
export function notificationFor({
  event,
  before,
  after,
}: NotificationInput): IncidentNotification | null {
  const details = changeOf(event);
  if (!details) return null;
  const known = new Set((before?.entities ?? []).map(entityKey));
  return {
    idempotencyKey: `${event.tenantId}/${event.streamId}/${event.sequence}`,
    sequence: event.sequence,
    eventId: event.eventId,
    occurredAt: event.occurredAt,
    details,
    incident: snapshotOf(after),
    newEntities: after.entities.filter((entity) => !known.has(entityKey(entity))),
  };
}
