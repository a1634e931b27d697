// Test support only (imported by *.spec.ts, never by the correlator): builders with
// deterministic defaults, and a driver that runs inputs through decide + evolve.
import {
  countedAlertIds,
  type AlertEntity,
  type CanonicalAlert,
  type IncidentEvent,
} from '@soc/contracts';
import { defaultCorrelationConfig, type CorrelationConfig } from '../../src/correlation/config';
import { parseCorrelationConfig } from '../../src/correlation/parse-policy';
import { decideCorrelation } from '../../src/correlation/decide';
import { evolveCorrelation } from '../../src/correlation/evolve';
import { deterministicIds } from '../../src/correlation/ids';
import {
  initialCorrelationState,
  isIncidentEvent,
  type CorrelationInput,
  type CorrelationState,
} from '../../src/correlation/state';

export const T0 = Date.UTC(2025, 0, 15, 9, 0, 0);
export const MIN = 60_000;

export const host = (value: string): AlertEntity => ({
  type: 'host',
  value,
  role: null,
  hashAlgorithm: null,
});
export const user = (value: string): AlertEntity => ({
  type: 'user',
  value,
  role: null,
  hashAlgorithm: null,
});
export const ip = (value: string): AlertEntity => ({
  type: 'ip',
  value,
  role: 'destination',
  hashAlgorithm: null,
});

let serial = 0;

/** A canonical alert; `at` is minutes after T0. */
export function anAlert(
  overrides: Partial<CanonicalAlert> & { readonly at?: number } = {},
): CanonicalAlert {
  serial += 1;
  const { at, ...rest } = overrides;
  const observedAt = rest.observedAt ?? T0 + (at ?? 0) * MIN;
  return {
    tenantId: 'acme',
    alertId: `a-${serial}`,
    sourceSystem: 'edr-prod',
    observedAt,
    ingestedAt: observedAt + 1_000,
    product: 'Endpoint Sensor',
    vendor: 'Simulated',
    ruleId: 'R-1',
    ruleName: 'Suspicious PowerShell',
    title: 'Suspicious PowerShell',
    description: null,
    severity: 50,
    severityLabel: 'medium',
    confidence: null,
    category: null,
    tactics: [],
    techniques: [],
    entities: [host('ws-01')],
    threatIntel: [],
    format: 'canonical',
    original: '',
    ...rest,
  };
}

export function configOf(raw: unknown): CorrelationConfig {
  const parsed = parseCorrelationConfig(raw);
  if (!parsed.ok) throw new Error(`bad test config: ${JSON.stringify(parsed.errors)}`);
  return parsed.config;
}

/** Runs inputs through decide + evolve; `events` are the published ones. */
export class Harness {
  readonly state: CorrelationState;
  readonly events: IncidentEvent[] = [];

  constructor(
    readonly config: CorrelationConfig = defaultCorrelationConfig(),
    state: CorrelationState = initialCorrelationState(),
    readonly ids = deterministicIds(),
  ) {
    this.state = state;
  }

  push(input: CorrelationInput): IncidentEvent[] {
    const published: IncidentEvent[] = [];
    for (const output of decideCorrelation(input, this.state, this.config, this.ids)) {
      evolveCorrelation(this.state, output);
      if (isIncidentEvent(output)) published.push(output);
    }
    this.events.push(...published);
    return published;
  }

  alert(alert: CanonicalAlert): IncidentEvent[] {
    return this.push({ kind: 'alert', alert });
  }

  /** `at` in minutes after T0. */
  tick(at: number): IncidentEvent[] {
    return this.push({ kind: 'tick', watermark: T0 + at * MIN });
  }

  /** Alert ids per incident (after merges), sorted: a projection independent of event order. */
  grouping(): string[][] {
    return groupingOf(this.events);
  }
}

export function groupingOf(events: readonly IncidentEvent[]): string[][] {
  const members = new Map<string, Set<string>>();
  const mergedInto = new Map<string, string>();
  const add = (incidentId: string, alertId: string): void => {
    const set = members.get(incidentId) ?? new Set<string>();
    set.add(alertId);
    members.set(incidentId, set);
  };
  for (const event of events) {
    if (event.type === 'IncidentOpened') add(event.data.incidentId, event.data.firstAlert.alertId);
    else if (event.type === 'AlertAttached') add(event.data.incidentId, event.data.alert.alertId);
    else if (event.type === 'AlertRepeatsCounted' || event.type === 'IncidentRepeatsCounted')
      for (const id of countedAlertIds(event.data)) add(event.data.incidentId, id);
    else if (event.type === 'IncidentMergedInto')
      mergedInto.set(event.data.incidentId, event.data.survivorIncidentId);
  }
  const final = new Map<string, Set<string>>();
  for (const [incidentId, alerts] of members) {
    let id = incidentId;
    for (let next = mergedInto.get(id); next !== undefined; next = mergedInto.get(id)) id = next;
    const set = final.get(id) ?? new Set<string>();
    for (const alertId of alerts) set.add(alertId);
    final.set(id, set);
  }
  return [...final.values()]
    .map((set) => [...set].sort())
    .sort((a, b) => (a.join() < b.join() ? -1 : 1));
}

export const typesOf = (events: readonly IncidentEvent[]): string[] =>
  events.map((event) => event.type);

export function only<T extends IncidentEvent['type']>(
  events: readonly IncidentEvent[],
  type: T,
): Extract<IncidentEvent, { type: T }>[] {
  return events.filter(
    (event): event is Extract<IncidentEvent, { type: T }> => event.type === type,
  );
}
