import type { IncidentNotification } from '../notification';

/**
 * The generic webhook's JSON body, version 1 (see README "Outbound webhook"). Fields are only
 * ever added within a version; a field's meaning or type changes only with a new `version`.
 */
export interface WebhookBodyV1 {
  readonly version: 1;
  /** The idempotency key: the same for every redelivery of one change. */
  readonly id: string;
  readonly type: `incident.${IncidentNotification['details']['change']}`;
  readonly occurredAt: string;
  readonly tenantId: string;
  readonly sequence: number;
  readonly change: Readonly<Record<string, unknown>>;
  readonly incident: {
    readonly id: string;
    readonly title: string;
    readonly priority: number | null;
    readonly escalated: boolean;
    readonly status: string;
    readonly alertCount: number;
    readonly firstSeen: string | null;
    readonly lastSeen: string | null;
    readonly maxSeverity: number;
    readonly rules: readonly string[];
    readonly tactics: readonly string[];
    readonly entities: readonly { type: string; value: string; role: string | null }[];
    readonly mergedInto: string | null;
    readonly absorbedIncidentIds: readonly string[];
    readonly campaignId: string | null;
    readonly summary: string | null;
  };
}

const iso = (time: number | null): string | null =>
  time === null ? null : new Date(time).toISOString();

export function webhookBody(notification: IncidentNotification): WebhookBodyV1 {
  const { incident, details } = notification;
  const { change, ...changeFields } = details;
  return {
    version: 1,
    id: notification.idempotencyKey,
    type: `incident.${change}`,
    occurredAt: new Date(notification.occurredAt).toISOString(),
    tenantId: incident.tenantId,
    sequence: notification.sequence,
    change: changeFields,
    incident: {
      id: incident.incidentId,
      title: incident.title,
      priority: incident.priority,
      escalated: incident.escalated,
      status: incident.status,
      alertCount: incident.alertCount,
      firstSeen: iso(incident.firstSeen),
      lastSeen: iso(incident.lastSeen),
      maxSeverity: incident.maxSeverity,
      rules: incident.rules,
      tactics: incident.tactics,
      entities: incident.entities.map(({ type, value, role }) => ({ type, value, role })),
      mergedInto: incident.mergedInto,
      absorbedIncidentIds: incident.absorbedIncidentIds,
      campaignId: incident.campaignId,
      summary: incident.summary,
    },
  };
}
