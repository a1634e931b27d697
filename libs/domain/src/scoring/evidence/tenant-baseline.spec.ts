import { BASELINE_MATURITY_MS } from './rarity';
import { evidenceOfRow, learnRepeats, learnRow, newTenantBaseline } from './tenant-baseline';

const alert = (severity: number, observedAt: number) => ({
  observedAt,
  severity,
  product: 'Wazuh',
  sourceSystem: 'wazuh',
  category: 'wazuh',
});

describe('tenant baseline', () => {
  it('learns rows and counted repeats, so the next row of an everyday rule is no finding', () => {
    const baseline = newTenantBaseline();
    const row = { alert: alert(33, 0), rule: 'W-Sys-Dov', entityKeys: ['host:mail'] };
    learnRow(baseline, row);
    learnRepeats(
      baseline,
      row,
      Array.from({ length: 500 }, (_, i) => i * 1_000),
    );
    // A day of history: the baseline is mature, its rarity counts in full.
    const later = BASELINE_MATURITY_MS;
    const everyday = evidenceOfRow(baseline, { ...row, alert: alert(33, later) });
    const novel = evidenceOfRow(baseline, {
      ...row,
      rule: 'A-Acc-Val1',
      alert: alert(33, later),
    });
    expect(everyday.findings).toEqual([]);
    expect(everyday.common?.rule).toBe('W-Sys-Dov');
    expect(novel.findings.map((f) => f.rule)).toEqual(['A-Acc-Val1']);
    expect(novel.severityVaries).toBe(false);
  });

  it('reads without changing: the same question twice gets the same answer', () => {
    const baseline = newTenantBaseline();
    learnRow(baseline, { alert: alert(33, 0), rule: 'R', entityKeys: ['host:a'] });
    const question = { alert: alert(70, 1), rule: 'S', entityKeys: ['host:a'] };
    expect(evidenceOfRow(baseline, question)).toEqual(evidenceOfRow(baseline, question));
    expect(evidenceOfRow(baseline, question).severityVaries).toBe(true);
  });
});
