import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { CanonicalAlert, IncidentEvent } from '@soc/contracts';
import { createCorrelator } from './runner';
import { deterministicIds } from './ids';
import { DEFAULT_TENANT_BUDGETS } from './policy';
import { anAlert, configOf, Harness, host, only } from '../../test/correlation/spec-support';
import { initialCorrelationState } from './state';
import { stateSize } from './state-size';
import { evolveCorrelation } from './evolve';

const budgets = (limits: Partial<typeof DEFAULT_TENANT_BUDGETS>) =>
  configOf({ defaults: { budgets: { ...DEFAULT_TENANT_BUDGETS, ...limits } } });

/** An alert whose entities are all its own, so it opens an incident of its own. */
const loner = (n: number, entities = 1): CanonicalAlert =>
  anAlert({
    at: n / 60,
    ruleId: `R-${n}`,
    entities: Array.from({ length: entities }, (_, i) => host(`h-${n}-${i}`)),
  });

const replayed = (events: readonly IncidentEvent[]) => {
  const state = initialCorrelationState();
  for (const event of events) evolveCorrelation(state, event);
  return state;
};

describe('per-tenant state budgets', () => {
  it('closes the oldest open incident to make room, and announces the budget once', () => {
    const h = new Harness(budgets({ openIncidents: 3 }));
    for (let n = 0; n < 5; n += 1) h.alert(loner(n));
    const announced = only(h.events, 'TenantBudgetExceeded');
    expect(announced.map((e) => e.data)).toEqual([
      {
        incidentId: null,
        budget: 'open-incidents',
        used: 3,
        limits: { ...DEFAULT_TENANT_BUDGETS, openIncidents: 3 },
      },
    ]);
    expect(announced[0]?.streamId).toBe('unattached:acme');
    const closed = only(h.events, 'IncidentClosed');
    expect(closed.map((e) => e.data.reason)).toEqual(['tenant-budget', 'tenant-budget']);
    const opened = only(h.events, 'IncidentOpened').map((e) => e.data.incidentId);
    expect(closed.map((e) => e.data.incidentId)).toEqual(opened.slice(0, 2));
    expect(stateSize(h.state).openIncidents).toBe(3);
  });

  it('links no new keys past the linked-keys budget, so an alert sharing an unlinked entity opens its own incident', () => {
    const h = new Harness(budgets({ linkedKeys: 4 }));
    h.alert(anAlert({ at: 0, entities: [host('a'), host('b'), host('c')] }));
    h.alert(anAlert({ at: 1, ruleId: 'R-2', entities: [host('d'), host('e')] }));
    expect(stateSize(h.state).indexedKeys).toBe(4);
    expect(only(h.events, 'TenantBudgetExceeded').map((e) => e.data.budget)).toEqual([
      'linked-keys',
    ]);
    h.alert(anAlert({ at: 2, ruleId: 'R-3', entities: [host('e')] }));
    expect(only(h.events, 'IncidentOpened')).toHaveLength(3);
    h.alert(anAlert({ at: 3, ruleId: 'R-4', entities: [host('a')] }));
    expect(only(h.events, 'AlertAttached')).toHaveLength(1);
  });

  it('forgets the entities seen least recently past the tracked-entities budget', () => {
    const h = new Harness(budgets({ trackedEntities: 3 }));
    h.alert(anAlert({ at: 0, entities: [host('a'), host('b'), host('c')] }));
    h.alert(anAlert({ at: 1, ruleId: 'R-2', entities: [host('a')] }));
    h.alert(anAlert({ at: 2, ruleId: 'R-3', entities: [host('d')] }));
    const tenant = h.state.tenants.get('acme');
    expect([...(tenant?.entities.keys() ?? [])]).toEqual(['host:c', 'host:a', 'host:d']);
  });

  it('forgets the incidents closed longest ago past the remembered-incidents budget', () => {
    const h = new Harness(budgets({ rememberedIncidents: 2 }));
    for (let n = 0; n < 4; n += 1) h.alert(loner(n * 60));
    h.tick(24 * 60);
    const tenant = h.state.tenants.get('acme');
    const opened = only(h.events, 'IncidentOpened').map((e) => e.data.incidentId);
    expect([...(tenant?.closed.keys() ?? [])]).toEqual(opened.slice(2));
    expect(only(h.events, 'TenantBudgetExceeded').map((e) => e.data.budget)).toEqual([
      'remembered-incidents',
    ]);
  });

  it('rebuilds the same bounded state from the events, whatever the configuration at replay', () => {
    const h = new Harness(budgets({ openIncidents: 5, linkedKeys: 20, trackedEntities: 12 }));
    for (let n = 0; n < 30; n += 1) h.alert(loner(n, 3));
    h.tick(60);
    const state = replayed(h.events);
    expect(stateSize(state)).toEqual(stateSize(h.state));
    const keys = (s: typeof state) => [...(s.tenants.get('acme')?.entities.keys() ?? [])];
    expect(keys(state)).toEqual(keys(h.state));
  });

  it('applies a raised budget announced after the old one was reached', () => {
    const h = new Harness(budgets({ openIncidents: 2 }));
    for (let n = 0; n < 3; n += 1) h.alert(loner(n));
    const raised = new Harness(budgets({ openIncidents: 4 }), h.state);
    for (let n = 3; n < 6; n += 1) raised.alert(loner(n));
    expect(
      only(raised.events, 'TenantBudgetExceeded').map((e) => e.data.limits.openIncidents),
    ).toEqual([4]);
    expect(stateSize(raised.state).openIncidents).toBe(4);
  });

  it('keeps a tenant sending 2,000 alerts of 500 unique entities each within its budgets', () => {
    const correlator = createCorrelator(configOf({}), deterministicIds());
    // A forced collection before each reading, so the figure is what the state retains.
    setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    collect();
    const heapBefore = process.memoryUsage().heapUsed;
    const announced: string[] = [];
    for (let batch = 0; batch < 2_000; batch += 100) {
      const alerts = Array.from({ length: 100 }, (_, i) => loner(batch + i, 500));
      for (const event of only(correlator.correlateBatch(alerts), 'TenantBudgetExceeded'))
        announced.push(event.data.budget);
    }
    const size = stateSize(correlator.state);
    expect(size.indexedKeys).toBeLessThanOrEqual(DEFAULT_TENANT_BUDGETS.linkedKeys);
    expect(size.trackedEntities).toBeLessThanOrEqual(DEFAULT_TENANT_BUDGETS.trackedEntities);
    expect(announced).toEqual(['linked-keys', 'tracked-entities']);
    collect();
    // Unbounded, this state held 1 M entities in 618 MB of heap; 147 MB with the budgets.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(256 * 1024 * 1024);
  });
});
