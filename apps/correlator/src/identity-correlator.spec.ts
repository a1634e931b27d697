import { generateTraffic } from '@soc/domain';
import { createIdentityCorrelator } from './identity-correlator';

const alerts = [
  ...generateTraffic({ seed: 'identity', tenants: 2, alertCount: 3, ratePerSecond: 10 }),
].map(({ alert }) => alert);
const inputs = alerts.map((alert) => ({ kind: 'alert', alert }) as const);

describe('the identity correlator (benchmark-only)', () => {
  it('opens one incident per alert, naming the alert, with no correlation state', () => {
    const correlator = createIdentityCorrelator();
    const events = correlator.correlate(inputs);
    expect(events.map((e) => e.type)).toEqual([
      'IncidentOpened',
      'IncidentOpened',
      'IncidentOpened',
    ]);
    events.forEach((event, i) => {
      const alert = alerts[i];
      expect(event).toMatchObject({
        tenantId: alert?.tenantId,
        partitionKey: alert?.tenantId,
        sequence: 1,
        occurredAt: alert?.observedAt,
        causationId: alert?.alertId,
        data: { firstAlert: { alertId: alert?.alertId, title: alert?.title } },
      });
    });
    expect(new Set(events.map((e) => e.streamId)).size).toBe(3);
  });

  it('gives the same events for the same alerts after a replay, since it keeps nothing', () => {
    const first = createIdentityCorrelator().correlate(inputs);
    const second = createIdentityCorrelator();
    second.replay(first);
    expect(second.correlate(inputs)).toEqual(first);
  });
});
