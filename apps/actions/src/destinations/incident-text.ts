import type { IncidentSnapshot } from '../notification';

/** The few lines a person reads first, shared by the chat and the e-mail messages. */
export interface IncidentText {
  readonly subject: string;
  readonly facts: readonly { readonly label: string; readonly value: string }[];
}

const MAX_LISTED = 10;

const listed = (values: readonly string[]): string =>
  values.length === 0
    ? '-'
    : values.length <= MAX_LISTED
      ? values.join(', ')
      : `${values.slice(0, MAX_LISTED).join(', ')} and ${values.length - MAX_LISTED} more`;

export function escalationText(incident: IncidentSnapshot, idempotencyKey: string): IncidentText {
  const priority = incident.priority ?? 0;
  return {
    subject: `[SOC P${priority}] ${incident.title}`,
    facts: [
      { label: 'Tenant', value: incident.tenantId },
      { label: 'Incident', value: incident.incidentId },
      { label: 'Priority', value: String(priority) },
      { label: 'Alerts', value: String(incident.alertCount) },
      {
        label: 'First seen',
        value: incident.firstSeen === null ? '-' : new Date(incident.firstSeen).toISOString(),
      },
      { label: 'Tactics', value: listed(incident.tactics) },
      { label: 'Entities', value: listed(incident.entities.map((e) => `${e.type} ${e.value}`)) },
      { label: 'Why', value: incident.summary ?? '-' },
      { label: 'Idempotency key', value: idempotencyKey },
    ],
  };
}
