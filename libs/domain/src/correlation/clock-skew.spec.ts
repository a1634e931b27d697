import type { CanonicalAlert, IncidentEvent } from '@soc/contracts';
import { guardedEventTime } from './clock-skew';
import {
  configOf,
  anAlert,
  Harness,
  MIN,
  only,
  T0,
  typesOf,
} from '../../test/correlation/spec-support';
import { initialCorrelationState } from './state';
import { evolveCorrelation } from './evolve';

const Y2099 = Date.UTC(2099, 0, 1);

/** An alert whose source stamped `stamped` while it arrived `at` minutes after T0. */
const skewed = (at: number, stamped: number, overrides: Partial<CanonicalAlert> = {}) =>
  anAlert({ ...overrides, observedAt: stamped, ingestedAt: T0 + at * MIN });

describe('clock-skew guard', () => {
  it('keeps an event time up to the allowed skew ahead of arrival', () => {
    expect(guardedEventTime({ observedAt: T0 + 5 * MIN, ingestedAt: T0 }, 5 * MIN)).toBe(
      T0 + 5 * MIN,
    );
    expect(guardedEventTime({ observedAt: T0 + 5 * MIN + 1, ingestedAt: T0 }, 5 * MIN)).toBe(T0);
  });

  it('corrects an alert stamped too far ahead to its arrival time and records the original', () => {
    const h = new Harness();
    const events = h.alert(skewed(3, Y2099));
    const opened = only(events, 'IncidentOpened')[0];
    expect(opened?.occurredAt).toBe(T0 + 3 * MIN);
    expect(opened?.data.firstAlert).toMatchObject({
      observedAt: T0 + 3 * MIN,
      ingestedAt: T0 + 3 * MIN,
      originalObservedAt: Y2099,
    });
    expect(h.state.tenants.get('acme')?.maxEventTime).toBe(T0 + 3 * MIN);
  });

  it('follows the configured skew', () => {
    const h = new Harness(configOf({ defaults: { maxClockSkewMs: 60 * MIN } }));
    const events = h.alert(skewed(0, T0 + 30 * MIN));
    expect(only(events, 'IncidentOpened')[0]?.data.firstAlert.originalObservedAt).toBeNull();
  });

  it("leaves another tenant's grouping unchanged after a 2099 alert, across a rebuild from the events", () => {
    const h = new Harness();
    h.alert(anAlert({ alertId: 'a1', at: 0 }));
    h.push({ kind: 'tick' });
    h.alert(skewed(1, Y2099, { tenantId: 'beta', alertId: 'b-2099' }));
    h.push({ kind: 'tick' });
    h.alert(anAlert({ alertId: 'a2', at: 5, ruleId: 'R-2' }));
    h.push({ kind: 'tick' });
    const rebuilt = new Harness(h.config, replayed(h.events));
    rebuilt.events.push(...h.events);
    const after = rebuilt.alert(anAlert({ alertId: 'a3', at: 10, ruleId: 'R-3' }));
    rebuilt.push({ kind: 'tick' });
    expect(typesOf(after)).toEqual(['AlertAttached', 'IncidentScored']);
    expect(only(rebuilt.events, 'LateAlertHandled')).toEqual([]);
    expect(rebuilt.grouping()).toEqual([['a1', 'a2', 'a3'], ['b-2099']]);
  });
});

function replayed(events: readonly IncidentEvent[]) {
  const state = initialCorrelationState();
  for (const event of events) evolveCorrelation(state, event);
  return state;
}
