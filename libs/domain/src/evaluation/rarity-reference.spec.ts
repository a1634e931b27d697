import type { CanonicalAlert } from '@soc/contracts';
import { anAlert, host } from '../../test/correlation/spec-support';
import { rarityReference } from './rarity-reference';

const alertOn = (name: string, ruleId: string, minute: number): CanonicalAlert =>
  anAlert({ at: minute, ruleId, entities: [host(name)] });

describe('rarityReference', () => {
  it('groups a host’s alerts with a 15 minute gap and scores the rarest rule on the host so far', () => {
    const reference = rarityReference();
    const alerts = [
      alertOn('mail', 'R-cron', 0),
      alertOn('mail', 'R-cron', 10),
      alertOn('mail', 'R-cron', 20),
      // 15 minutes after the last: a new incident, whose rule the host has never seen.
      alertOn('mail', 'R-shell', 35),
      alertOn('web', 'R-cron', 36),
    ];
    for (const alert of alerts) reference.observe(alert);
    const { incidentOf, priorities, storyOf } = reference.result();
    const incident = (a: CanonicalAlert) => incidentOf.get(`acme\u0000${a.alertId}`) as string;
    expect(new Set(alerts.slice(0, 3).map(incident)).size).toBe(1);
    expect(incident(alerts[3] as CanonicalAlert)).not.toBe(incident(alerts[2] as CanonicalAlert));
    // The cron incident: first alert -log(1/1) = 0, then -log(2/2), -log(3/3): all 0.
    expect(priorities.get(incident(alerts[0] as CanonicalAlert))).toBe(0);
    // R-shell after three alerts on mail: -log((0 + 1) / (3 + 1)).
    expect(priorities.get(incident(alerts[3] as CanonicalAlert))).toBeCloseTo(Math.log(4), 12);
    expect(priorities.get(incident(alerts[4] as CanonicalAlert))).toBe(0);
    expect(storyOf.size).toBe(3);
  });
});
