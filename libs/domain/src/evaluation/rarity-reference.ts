import type { CanonicalAlert } from '@soc/contracts';
import { alertKey, type IncidentAssignment } from './assignment';

/** The reference's gap: a host's alerts less than this apart are one incident. */
export const REFERENCE_GAP_MS = 15 * 60_000;

interface HostTally {
  readonly rules: Map<string, number>;
  alerts: number;
  lastSeen: number;
  incident: string;
}

/** The datasets README's 20-line baseline, fed alert by alert in arrival order. */
export interface RarityReference {
  observe(alert: CanonicalAlert): void;
  /** Incidents are their own stories: the reference links nothing. */
  result(): IncidentAssignment;
}

const hostOf = (alert: CanonicalAlert): string =>
  (alert.entities.find((entity) => entity.type === 'host') ?? alert.entities[0])?.value ?? '';

/**
 * The baseline an evaluation compares against: group a tenant's alerts by host with a 15
 * minute gap, and score an incident by the rarity of its rarest rule on its host so far,
 * `-log((count of rule on host before this alert + 1) / (alerts on host before + 1))`. The
 * host is the alert's first host entity (else its first entity); the rule its rule id, else
 * its title. Scores are nats, not 0-100, so it has no high-priority queue.
 */
export function rarityReference(): RarityReference {
  const hosts = new Map<string, HostTally>();
  const incidentOf = new Map<string, string>();
  const priorities = new Map<string, number>();
  let counter = 0;
  return {
    observe(alert) {
      const hostKey = alertKey(alert.tenantId, hostOf(alert));
      let host = hosts.get(hostKey);
      if (host === undefined) {
        host = { rules: new Map(), alerts: 0, lastSeen: -Infinity, incident: '' };
        hosts.set(hostKey, host);
      }
      if (alert.observedAt - host.lastSeen >= REFERENCE_GAP_MS) {
        counter += 1;
        host.incident = alertKey(alert.tenantId, `reference-${counter}`);
      }
      host.lastSeen = Math.max(host.lastSeen, alert.observedAt);
      const rule = alert.ruleId ?? alert.title;
      const seen = host.rules.get(rule) ?? 0;
      const rarity = -Math.log((seen + 1) / (host.alerts + 1));
      host.rules.set(rule, seen + 1);
      host.alerts += 1;
      incidentOf.set(alertKey(alert.tenantId, alert.alertId), host.incident);
      priorities.set(host.incident, Math.max(priorities.get(host.incident) ?? 0, rarity));
    },
    result: () => ({
      incidentOf,
      suppressed: new Set(),
      priorities,
      storyOf: new Map([...priorities.keys()].map((id) => [id, id])),
    }),
  };
}
