import type { EntityType } from '@soc/contracts';
import type { ViewEntity } from '@soc/domain';
import type { IncidentNotification } from '../notification';

/** TheHive's alert severities: 1 low, 2 medium, 3 high, 4 critical. */
export function theHiveSeverity(priority: number | null): 1 | 2 | 3 | 4 {
  const value = priority ?? 0;
  if (value >= 90) return 4;
  if (value >= 70) return 3;
  if (value >= 40) return 2;
  return 1;
}

/** TheHive 5's built-in observable data types for each entity type. */
const DATA_TYPE: Record<EntityType, string> = {
  host: 'hostname',
  user: 'other',
  ip: 'ip',
  file_hash: 'hash',
  domain: 'domain',
  url: 'url',
  process: 'other',
  email: 'mail',
  cloud_resource: 'other',
};

export interface TheHiveObservable {
  readonly dataType: string;
  readonly data: string;
  readonly tags: readonly string[];
}

export const observablesOf = (entities: readonly ViewEntity[]): TheHiveObservable[] =>
  entities.map((entity) => ({
    dataType: DATA_TYPE[entity.type],
    data: entity.value,
    tags: [`soc:entity=${entity.type}`, ...(entity.role ? [`soc:role=${entity.role}`] : [])],
  }));

/** TheHive keeps one alert per (type, source, sourceRef): the incident is the reference. */
export const sourceRefOf = (notification: IncidentNotification): string =>
  `${notification.incident.tenantId}/${notification.incident.incidentId}`;

export function alertDescription(notification: IncidentNotification): string {
  const { incident } = notification;
  return [
    `**${incident.title}**`,
    '',
    incident.summary ?? '',
    '',
    `- priority: ${incident.priority ?? '-'}`,
    `- alerts: ${incident.alertCount}`,
    `- rules: ${incident.rules.join(', ') || '-'}`,
    `- tactics: ${incident.tactics.join(', ') || '-'}`,
    `- status: ${incident.status}${incident.mergedInto ? ` (merged into ${incident.mergedInto})` : ''}`,
    `- last change: ${notification.idempotencyKey}`,
  ].join('\n');
}

/** The fields a change updates on an alert that exists (PATCH /api/v1/alert/{id}). */
export function alertUpdate(notification: IncidentNotification): Record<string, unknown> {
  const { incident, details } = notification;
  return {
    title: incident.title,
    description: alertDescription(notification),
    severity: theHiveSeverity(incident.priority),
    ...(details.change === 'closed' ? { addTags: [`soc:closed=${details.reason}`] } : {}),
    ...(details.change === 'merged'
      ? { addTags: [`soc:absorbed=${details.absorbedIncidentId}`] }
      : {}),
  };
}

/** The new alert (POST /api/v1/alert), observables from every entity of the incident. */
export function newAlert(
  notification: IncidentNotification,
  { type, source }: { readonly type: string; readonly source: string },
): Record<string, unknown> {
  const { incident } = notification;
  return {
    type,
    source,
    sourceRef: sourceRefOf(notification),
    title: incident.title,
    description: alertDescription(notification),
    severity: theHiveSeverity(incident.priority),
    date: incident.firstSeen ?? notification.occurredAt,
    tags: [`soc:tenant=${incident.tenantId}`, ...incident.tactics.map((t) => `mitre:${t}`)],
    observables: observablesOf(incident.entities),
  };
}
