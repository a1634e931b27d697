import { evolveCorrelation } from './evolve';
import { anAlert, Harness, MIN, only, T0 } from '../../test/correlation/spec-support';
import { initialCorrelationState } from './state';

describe('wall-clock idle ticks', () => {
  it('closes the windows of a tenant no alert of which arrived for the idle timeout', () => {
    const h = new Harness();
    h.alert(anAlert({ at: 0 }));
    expect(h.push({ kind: 'tick', arrivalTime: T0 + 10 * MIN })).toEqual([]);
    const closed = only(h.push({ kind: 'tick', arrivalTime: T0 + 40 * MIN }), 'IncidentClosed');
    expect(closed.map((event) => [event.data.reason, event.occurredAt])).toEqual([
      ['window-expired', T0 + 25 * MIN],
    ]);
  });

  it('leaves a tenant whose alerts keep arriving to its own event time', () => {
    const h = new Harness();
    h.alert(anAlert({ at: 0, tenantId: 'busy', ingestedAt: T0 + 39 * MIN }));
    expect(h.push({ kind: 'tick', arrivalTime: T0 + 40 * MIN })).toEqual([]);
  });

  it('is recorded: a state rebuilt from the events has the watermark the tick reached', () => {
    const h = new Harness();
    h.alert(anAlert({ at: 0 }));
    h.push({ kind: 'tick', arrivalTime: T0 + 40 * MIN });
    const rebuilt = initialCorrelationState();
    for (const event of h.events) evolveCorrelation(rebuilt, event);
    expect(rebuilt.tenants.get('acme')?.watermark).toBe(T0 + 25 * MIN);
    expect(rebuilt.tenants.get('acme')?.watermark).toBe(h.state.tenants.get('acme')?.watermark);
    expect(rebuilt.tenants.get('acme')?.open.size).toBe(0);
  });
});
