import {
  BASELINE_MATURITY_MS,
  baselineMaturity,
  newRarityBaseline,
  observeFiring,
  observeFirings,
  rarityOf,
  type RarityBaseline,
} from './rarity';

const HOUR = 3_600_000;
const mail = ['host:mail'];

/** A tenant with a day of history before time 0 (one firing elsewhere), so rarity counts in full. */
const matured = (baseline: RarityBaseline = newRarityBaseline()): RarityBaseline => {
  observeFiring(baseline, {
    rule: 'R-first',
    entityKeys: ['host:first'],
    time: -BASELINE_MATURITY_MS,
  });
  return baseline;
};

describe('rarityOf', () => {
  it('finds a rule new on a busy host surprising, and the host’s everyday rule not', () => {
    const baseline = matured();
    for (let i = 0; i < 999; i += 1)
      observeFiring(baseline, { rule: 'W-Sys-Dov', entityKeys: mail, time: i * 60_000 });
    const everyday = rarityOf(baseline, {
      rule: 'W-Sys-Dov',
      entityKeys: mail,
      time: 1_000 * 60_000,
    });
    const fresh = rarityOf(baseline, {
      rule: 'A-Acc-Val1',
      entityKeys: mail,
      time: 1_000 * 60_000,
    });
    expect(everyday.surprise).toBeCloseTo(0, 2);
    // -ln((0 + 1) / (999 + 1)), the 999 decayed a little over 16 hours.
    expect(fresh.surprise).toBeCloseTo(Math.log(1000), 1);
    expect(fresh).toMatchObject({ entityKey: 'host:mail', ruleOnEntity: 0 });
    // 999 alerts over 16 hours with a 7-day half-life: each kept 93-100 % of its weight.
    expect(fresh.entityAlerts).toBeGreaterThan(0.93 * 999);
    expect(fresh.entityAlerts).toBeLessThan(999);
    expect(fresh.ruleInTenant).toBe(0);
  });

  it('judges a rule by the entity where it is rarest', () => {
    const baseline = matured();
    for (let i = 0; i < 100; i += 1) {
      observeFiring(baseline, { rule: 'R-dns', entityKeys: ['host:dns'], time: i });
      observeFiring(baseline, { rule: 'R-web', entityKeys: ['host:web'], time: i });
    }
    const rarity = rarityOf(baseline, {
      rule: 'R-dns',
      entityKeys: ['host:dns', 'host:web'],
      time: 200,
    });
    expect(rarity.entityKey).toBe('host:web');
    expect(rarity.surprise).toBeCloseTo(Math.log(101), 6);
  });

  it('has no surprise for an entity without history: no baseline is no evidence', () => {
    const rarity = rarityOf(newRarityBaseline(), { rule: 'R', entityKeys: ['host:new'], time: 0 });
    expect(rarity).toMatchObject({ surprise: 0, entityAlerts: 0 });
  });

  it('discounts a rule that keeps its rhythm on the entity (a daily job)', () => {
    const baseline = newRarityBaseline();
    for (let hour = 0; hour < 24 * 5; hour += 1)
      observeFiring(baseline, { rule: 'W-noise', entityKeys: mail, time: hour * HOUR });
    for (let day = 0; day < 5; day += 1)
      observeFiring(baseline, { rule: 'W-Sys-Cav', entityKeys: mail, time: day * 24 * HOUR + 1 });
    const onTime = rarityOf(baseline, {
      rule: 'W-Sys-Cav',
      entityKeys: mail,
      time: 5 * 24 * HOUR + 1,
    });
    const offBeat = rarityOf(baseline, {
      rule: 'W-Sys-Cav',
      entityKeys: mail,
      time: 4 * 24 * HOUR + 7 * HOUR,
    });
    expect(onTime.routine).toBe(true);
    expect(offBeat.routine).toBe(false);
    expect(onTime.surprise).toBeCloseTo(offBeat.surprise / 3, 1);
  });

  it('forgets with a half-life: counts halve every half-life of event time', () => {
    const baseline = newRarityBaseline(HOUR);
    observeFirings(baseline, {
      rule: 'R',
      entityKeys: mail,
      times: Array.from({ length: 8 }, () => 0),
    });
    expect(
      rarityOf(baseline, { rule: 'R', entityKeys: mail, time: 3 * HOUR }).ruleOnEntity,
    ).toBeCloseTo(1, 9);
  });

  it('weighs the surprise by the age of the tenant’s baseline, full after a day', () => {
    const baseline = newRarityBaseline();
    for (let i = 0; i < 999; i += 1)
      observeFiring(baseline, { rule: 'W-Sys-Dov', entityKeys: mail, time: i * 1_000 });
    const at = (time: number) => rarityOf(baseline, { rule: 'A-Acc-Val1', entityKeys: mail, time });
    expect(baselineMaturity(newRarityBaseline(), 0)).toBe(0);
    expect(at(6 * HOUR).maturity).toBeCloseTo(0.25, 3);
    expect(at(6 * HOUR).surprise).toBeCloseTo(0.25 * at(6 * HOUR).unweighedSurprise, 6);
    expect(at(2 * BASELINE_MATURITY_MS).maturity).toBe(1);
    expect(at(2 * BASELINE_MATURITY_MS).surprise).toBe(
      at(2 * BASELINE_MATURITY_MS).unweighedSurprise,
    );
  });

  it('measures how rare a rule is in the whole tenant, weighed the same way', () => {
    const baseline = matured();
    for (let i = 0; i < 999; i += 1)
      observeFiring(baseline, { rule: 'W-Sys-Dov', entityKeys: mail, time: i });
    const fresh = rarityOf(baseline, { rule: 'S-Flw-Nmp', entityKeys: ['host:vpn'], time: 1_000 });
    expect(fresh.ruleInTenant).toBe(0);
    expect(fresh.tenantSurprise).toBeCloseTo(Math.log(1_001), 1);
  });

  it('stays bounded, evicting the least recently seen keys first', () => {
    const baseline = newRarityBaseline(HOUR, 100);
    for (let i = 0; i < 1_000; i += 1)
      observeFiring(baseline, { rule: `R-${i}`, entityKeys: [`host:h${i}`], time: i });
    expect(baseline.pairs.size).toBeLessThanOrEqual(100);
    expect(baseline.rules.size).toBeLessThanOrEqual(100);
    expect(baseline.entities.has('host:h999')).toBe(true);
    expect(baseline.entities.has('host:h0')).toBe(false);
  });
});
