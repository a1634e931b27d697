import { triageTable } from '@soc/domain';
import { evaluateScenario } from '../../tools/triage-quality/run-evaluate';

/*
 * `soc evaluate` over the smallest AIT-ADS scenario, as its own process with the default
 * configuration, printing docs/triage-quality.md's row for it. No quality or time target is
 * asserted here (docs/triage-quality.md records the figures); the shape and the invariants are.
 */
describe('triage quality on real labeled alerts (AIT-ADS wardbeck)', () => {
  it('evaluates the scenario beside the rarity reference and prints the table', async () => {
    const row = await evaluateScenario('wardbeck');
    const table = triageTable([row]);
    process.stdout.write(`\n${table}\n`);

    const { report } = row;
    expect(report.alerts).toBe(91_257);
    expect(report.reference.alerts).toBe(report.alerts);
    expect(report.unassignedAlerts).toBe(0);
    for (const view of [report.analyst.incidents, report.analyst.stories]) {
      expect(view.attackItems).toBeGreaterThan(0);
      expect(view.firstAttackRank).toBeGreaterThanOrEqual(1);
      expect(view.firstAttackRank).toBeLessThanOrEqual(view.items);
      expect(view.rocAuc).toBeGreaterThanOrEqual(0);
      expect(view.highQueue?.attackItems).toBe(
        view.attackItems - (view.highQueue?.missedAttackItems ?? 0),
      );
    }
    expect(report.analyst.stories.items).toBeLessThanOrEqual(report.analyst.incidents.items);
    expect(table.split('\n')[2]).toMatch(/^\| wardbeck \| 91257 \|/);
  });
});
