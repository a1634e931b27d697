import { countedAlertIds, type IncidentEvent } from '@soc/contracts';

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

interface FoldState {
  /** Alert key -> incident key as first recorded (before merges). */
  readonly assigned: Map<string, string>;
  readonly suppressed: Set<string>;
  readonly mergedInto: Map<string, string>;
  readonly lastPriority: Map<string, number>;
  readonly joins: Joins;
}

function attach(state: FoldState, tenantId: string, alertId: string, incidentId: string): void {
  state.assigned.set(alertKey(tenantId, alertId), alertKey(tenantId, incidentId));
}

function foldEvent(state: FoldState, event: IncidentEvent): void {
  const incidentKey = alertKey(event.tenantId, event.streamId);
  switch (event.type) {
    case 'IncidentOpened':
      attach(state, event.tenantId, event.data.firstAlert.alertId, event.data.incidentId);
      break;
    case 'AlertAttached':
      attach(state, event.tenantId, event.data.alert.alertId, event.data.incidentId);
      break;
    case 'AlertRepeatsCounted':
    case 'IncidentRepeatsCounted':
      for (const alertId of countedAlertIds(event.data))
        attach(state, event.tenantId, alertId, event.data.incidentId);
      break;
    case 'LateAlertHandled':
      // A late alert recorded on a closed incident belongs to it; the other outcomes also
      // arrive as IncidentOpened / AlertAttached.
      if (event.data.outcome === 'dropped-window-closed' && event.data.incidentId !== null)
        attach(state, event.tenantId, event.data.alert.alertId, event.data.incidentId);
      break;
    case 'AlertSuppressed':
      state.suppressed.add(alertKey(event.tenantId, event.data.alert.alertId));
      break;
    case 'IncidentMergedInto': {
      const survivor = alertKey(event.tenantId, event.data.survivorIncidentId);
      state.mergedInto.set(incidentKey, survivor);
      state.joins.join(survivor, incidentKey);
      break;
    }
    case 'CampaignLinked':
      state.joins.join(
        `campaign\u0000${event.tenantId}\u0000${event.data.campaignId}`,
        incidentKey,
      );
      break;
    case 'IncidentScored':
      state.lastPriority.set(incidentKey, event.data.priority);
      break;
    default:
      break;
  }
}

function resultOf(state: FoldState): IncidentAssignment {
  const survivorOf = (incidentKey: string): string => {
    let key = incidentKey;
    for (let next = state.mergedInto.get(key); next !== undefined; next = state.mergedInto.get(key))
      key = next;
    return key;
  };
  const incidentOf = new Map<string, string>();
  const priorities = new Map<string, number>();
  const storyOf = new Map<string, string>();
  for (const [key, incidentKey] of state.assigned) {
    const survivor = survivorOf(incidentKey);
    incidentOf.set(key, survivor);
    if (storyOf.has(survivor)) continue;
    storyOf.set(survivor, state.joins.root(survivor));
    const priority = state.lastPriority.get(survivor);
    if (priority !== undefined) priorities.set(survivor, priority);
  }
  return { incidentOf, suppressed: state.suppressed, priorities, storyOf };
}

export function assignmentFold(): AssignmentFold {
  const state: FoldState = {
    assigned: new Map(),
    suppressed: new Set(),
    mergedInto: new Map(),
    lastPriority: new Map(),
    joins: new Joins(),
  };
  return { add: (event) => foldEvent(state, event), result: () => resultOf(state) };
}

/** Reads the alert -> incident assignment, stories and final priorities from an event log. */
export function assignAlerts(events: Iterable<IncidentEvent>): IncidentAssignment {
  const fold = assignmentFold();
  for (const event of events) fold.add(event);
  return fold.result();
}
