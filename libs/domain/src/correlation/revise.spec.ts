import { evolveCorrelation } from './evolve';
import {
  anAlert,
  configOf,
  Harness,
  host,
  MIN,
  only,
  typesOf,
} from '../../test/correlation/spec-support';
import { ENTITY_RECENT_INCIDENTS, initialCorrelationState } from './state';

describe('late alerts revising closed incidents of a busy entity', () => {
  const lateness = configOf({ defaults: { allowedLatenessMs: 2 * MIN } });

  /** An incident on ws-01 at 0, then `later` more on ws-01, each a window apart, all closed. */
  function busyHost(later: number): { readonly h: Harness; readonly first: string } {
    const h = new Harness(lateness);
    const [opened] = h.alert(anAlert({ at: 0 }));
    for (let i = 1; i <= later; i += 1) h.alert(anAlert({ at: i * 20, ruleId: `R-${i + 1}` }));
    h.alert(anAlert({ at: later * 20 + 40, entities: [host('ws-99')] }));
    h.push({ kind: 'tick' });
    return { h, first: opened?.streamId as string };
  }

  it('reopens the incident it belongs to however many incidents carried its entity since', () => {
    const { h, first } = busyHost(ENTITY_RECENT_INCIDENTS + 4);
    const events = h.alert(anAlert({ alertId: 'straggler', at: 3, ruleId: 'R-late' }));
    expect(typesOf(events).slice(0, 3)).toEqual([
      'IncidentReopened',
      'LateAlertHandled',
      'AlertAttached',
    ]);
    expect(events[0]?.streamId).toBe(first);
    expect(only(events, 'LateAlertHandled')[0]?.data.outcome).toBe('reopened-closed-incident');
  });

  it('finds the same incident from a state rebuilt from the events', () => {
    const { h, first } = busyHost(ENTITY_RECENT_INCIDENTS + 4);
    const rebuilt = new Harness(lateness, initialCorrelationState());
    for (const event of h.events) evolveCorrelation(rebuilt.state, event);
    const events = rebuilt.alert(anAlert({ alertId: 'straggler', at: 3, ruleId: 'R-late' }));
    expect(only(events, 'IncidentReopened')[0]?.streamId).toBe(first);
  });

  it('forgets a closed incident from the index when it reopens, and indexes it again when it closes', () => {
    const { h, first } = busyHost(2);
    h.alert(anAlert({ alertId: 'straggler', at: 3, ruleId: 'R-late' }));
    const links = (): number =>
      [...(h.state.tenants.get('acme')?.closedIndex.values() ?? [])].filter((indexed) =>
        indexed instanceof Set
          ? [...indexed].some((link) => link.incident.id === first)
          : indexed.incident.id === first,
      ).length;
    expect(links()).toBe(0);
    expect(only(h.push({ kind: 'tick' }), 'IncidentClosed')[0]?.streamId).toBe(first);
    expect(links()).toBeGreaterThan(0);
  });
});
