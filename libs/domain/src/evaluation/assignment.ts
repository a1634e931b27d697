import type { IncidentEvent } from '@soc/contracts';

export const alertKey = (tenantId: string, alertId: string): string =>
  `${tenantId}\u0000${alertId}`;

/** Where each alert ended up: incident ids after following merges to the survivor. */
export interface IncidentAssignment {
  /** Alert key -> survivor incident key. */
  readonly incidentOf: ReadonlyMap<string, string>;
  readonly suppressed: ReadonlySet<string>;
  /** The last priority scored for each surviving incident. */
  readonly priorities: ReadonlyMap<string, number>;
  /**
   * Survivor incident key -> story key. A story is the incidents joined by campaign links
   * (and merges); an incident without a link is a story of its own.
   */
  readonly storyOf: ReadonlyMap<string, string>;
}

/** Folds an incident event log one event at a time, so a long log need not be held. */
export interface AssignmentFold {
  add(event: IncidentEvent): void;
  result(): IncidentAssignment;
}

/** Union-find over incident and campaign keys; roots are the first key of each set seen. */
class Joins {
  private readonly parent = new Map<string, string>();

  root(key: string): string {
    let node = key;
    for (let next = this.parent.get(node); next !== undefined; next = this.parent.get(node)) {
      const grand = this.parent.get(next);
      if (grand !== undefined) this.parent.set(node, grand);
      node = next;
    }
    return node;
  }

  join(a: string, b: string): void {
    const rootA = this.root(a);
    const rootB = this.root(b);
    if (rootA !== rootB) this.parent.set(rootB, rootA);
  }
}

export function assignmentFold(): AssignmentFold {
  const assigned = new Map<string, string>();
  const suppressed = new Set<string>();
  const mergedInto = new Map<string, string>();
  const lastPriority = new Map<string, number>();
  const joins = new Joins();
  const attach = (tenantId: string, alertId: string, incidentId: string): void => {
    assigned.set(alertKey(tenantId, alertId), alertKey(tenantId, incidentId));
  };
  const add = (event: IncidentEvent): void => {
    const incidentKey = alertKey(event.tenantId, event.streamId);
    switch (event.type) {
      case 'IncidentOpened':
        attach(event.tenantId, event.data.firstAlert.alertId, event.data.incidentId);
        break;
      case 'AlertAttached':
        attach(event.tenantId, event.data.alert.alertId, event.data.incidentId);
        break;
      case 'AlertRepeatsCounted':
        for (const alertId of event.data.alertIds)
          attach(event.tenantId, alertId, event.data.incidentId);
        break;
      case 'LateAlertHandled':
        // A late alert recorded on a closed incident belongs to it; the other outcomes also
        // arrive as IncidentOpened / AlertAttached.
        if (event.data.outcome === 'dropped-window-closed' && event.data.incidentId !== null)
          attach(event.tenantId, event.data.alert.alertId, event.data.incidentId);
        break;
      case 'AlertSuppressed':
        suppressed.add(alertKey(event.tenantId, event.data.alert.alertId));
        break;
      case 'IncidentMergedInto':
        mergedInto.set(incidentKey, alertKey(event.tenantId, event.data.survivorIncidentId));
        joins.join(alertKey(event.tenantId, event.data.survivorIncidentId), incidentKey);
        break;
      case 'CampaignLinked':
        joins.join(`campaign\u0000${event.tenantId}\u0000${event.data.campaignId}`, incidentKey);
        break;
      case 'IncidentScored':
        lastPriority.set(incidentKey, event.data.priority);
        break;
      default:
        break;
    }
  };
  const survivorOf = (incidentKey: string): string => {
    let key = incidentKey;
    for (let next = mergedInto.get(key); next !== undefined; next = mergedInto.get(key)) key = next;
    return key;
  };
  const result = (): IncidentAssignment => {
    const incidentOf = new Map<string, string>();
    const priorities = new Map<string, number>();
    const storyOf = new Map<string, string>();
    for (const [key, incidentKey] of assigned) {
      const survivor = survivorOf(incidentKey);
      incidentOf.set(key, survivor);
      if (storyOf.has(survivor)) continue;
      storyOf.set(survivor, joins.root(survivor));
      const priority = lastPriority.get(survivor);
      if (priority !== undefined) priorities.set(survivor, priority);
    }
    return { incidentOf, suppressed, priorities, storyOf };
  };
  return { add, result };
}

/** Reads the alert -> incident assignment, stories and final priorities from an event log. */
export function assignAlerts(events: Iterable<IncidentEvent>): IncidentAssignment {
  const fold = assignmentFold();
  for (const event of events) fold.add(event);
  return fold.result();
}
