import { quietHostOf, QUIET_MAX_EXPECTED_ALERTS } from './quiet-entity';
import { BASELINE_MATURITY_MS, newRarityBaseline, observeFiring } from './rarity';

const HOUR = 3_600_000;

/** Two days of history: `monitoring` raises an alert every 5 hours, `firewall` one a minute. */
function twoDays() {
  const baseline = newRarityBaseline();
  for (let at = 0; at < 48 * HOUR; at += 60_000) {
    observeFiring(baseline, { rule: 'W-All-Evt', entityKeys: ['host:firewall'], time: at });
    if (at % (5 * HOUR) === 0)
      observeFiring(baseline, { rule: 'A-Mon-Rng', entityKeys: ['host:monitoring'], time: at });
  }
  return baseline;
}

describe('quietHostOf', () => {
  it('finds a host that usually raises less than an alert within the window quiet', () => {
    const quiet = quietHostOf(twoDays(), {
      entityKeys: ['host:monitoring', 'ip:10.0.0.9'],
      time: 48 * HOUR,
      windowMs: HOUR,
    });
    expect(quiet?.entityKey).toBe('host:monitoring');
    // 10 alerts in 48 hours, each decayed a little (a 7-day half-life): about 0.2 an hour.
    expect(quiet?.alerts).toBeGreaterThan(8.5);
    expect(quiet?.alerts).toBeLessThan(10);
    expect(quiet?.expectedInWindow).toBeCloseTo(10 / 48, 1);
    expect(quiet?.expectedInWindow).toBeLessThan(QUIET_MAX_EXPECTED_ALERTS);
  });

  it('does not call a busy host quiet, nor an alert that also names one', () => {
    const baseline = twoDays();
    const at = { time: 48 * HOUR, windowMs: HOUR };
    expect(quietHostOf(baseline, { entityKeys: ['host:firewall'], ...at })).toBeNull();
    expect(
      quietHostOf(baseline, { entityKeys: ['host:monitoring', 'host:firewall'], ...at }),
    ).toBeNull();
    // Without a host there is nothing to be quiet.
    expect(quietHostOf(baseline, { entityKeys: ['ip:10.0.0.9'], ...at })).toBeNull();
  });

  it('judges nothing quiet before the tenant has a day of history', () => {
    const baseline = newRarityBaseline();
    observeFiring(baseline, { rule: 'R', entityKeys: ['host:first'], time: 0 });
    const entityKeys = ['host:monitoring'];
    const windowMs = HOUR;
    expect(
      quietHostOf(baseline, { entityKeys, time: BASELINE_MATURITY_MS / 2, windowMs }),
    ).toBeNull();
    expect(quietHostOf(newRarityBaseline(), { entityKeys, time: 0, windowMs })).toBeNull();
    expect(
      quietHostOf(baseline, { entityKeys, time: BASELINE_MATURITY_MS, windowMs }),
    ).toMatchObject({ entityKey: 'host:monitoring', alerts: 0, expectedInWindow: 0 });
  });
});
