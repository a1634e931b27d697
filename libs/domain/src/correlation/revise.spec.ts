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

describe('scores of late alerts inside the revision horizon', () => {
  const config = configOf({ defaults: { allowedLatenessMs: 2 * MIN } });
  const first = anAlert({ alertId: 'first', at: 0, entities: [host('ws-99')], ruleId: 'R-9' });
  const late = anAlert({ alertId: 'late', at: 5, ruleId: 'R-1' });
  const later = anAlert({ alertId: 'later', at: 6 * 60, entities: [host('ws-77')], ruleId: 'R-7' });

  /** The last IncidentScored of the incident the alert `late` opened, the inputs in `order`. */
  function scoreOfLate(order: readonly (typeof first)[]) {
    const h = new Harness(config);
    for (const alert of order) h.alert(alert);
    h.push({ kind: 'tick' });
    const opened = only(h.events, 'IncidentOpened').find(
      (event) => event.data.firstAlert.alertId === 'late',
    );
    return only(h.events, 'IncidentScored')
      .filter((event) => event.streamId === opened?.streamId)
      .at(-1)?.data;
  }

  it('scores the incident of an alert 6 hours late at its own event time, as time order does', () => {
    const inTimeOrder = scoreOfLate([first, late, later]);
    const delayed = scoreOfLate([first, later, late]);
    const freshness = (scored: typeof delayed) =>
      scored?.explanation.factors.find((factor) => factor.name === 'freshness')?.raw;
    expect(freshness(inTimeOrder)).toBe(100);
    expect(freshness(delayed)).toBe(100);
    expect(delayed?.priority).toBe(inTimeOrder?.priority);
  });
});

describe('a late alert between an incident cut at its max span and its continuation', () => {
  it('joins the incident open at its time, without merging the two past the max span', () => {
    const h = new Harness(
      configOf({ defaults: { allowedLatenessMs: 2 * MIN, maxIncidentSpanMs: 60 * MIN } }),
    );
    const [cut] = h.alert(anAlert({ at: 0 }));
    for (let at = 5; at < 60; at += 5) h.alert(anAlert({ at }));
    const [continued] = h.alert(anAlert({ at: 60 }));
    for (let at = 65; at <= 90; at += 5) h.alert(anAlert({ at }));
    expect(continued?.streamId).not.toBe(cut?.streamId);

    const events = h.alert(anAlert({ alertId: 'straggler', at: 57, ruleId: 'R-late' }));
    expect(typesOf(events)).not.toContain('IncidentsMerged');
    expect(only(events, 'AlertAttached').map((attached) => attached.streamId)).toEqual([
      cut?.streamId,
    ]);
  });
});
