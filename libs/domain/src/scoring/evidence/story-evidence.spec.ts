import { evidenceOf, NO_EVIDENCE } from './incident-evidence';
import type { FiringRarity } from './rarity';
import { aFiringRarity } from '../../../test/scoring/evidence-spec-support';
import { isNewInTenant, rareFindingOf, storyRiskShare } from './story-evidence';

const row = (overrides: Partial<FiringRarity>) =>
  evidenceOf(aFiringRarity({ entityKey: 'host:vpn', ...overrides }), {
    rule: 'S-Flw-Nmp',
    detector: 'Wazuh/suricata',
  });

describe('story evidence', () => {
  it('counts a row’s risk toward its entities by its novelty there', () => {
    expect(storyRiskShare(row({ surprise: Math.log(5_001) }))).toBe(1);
    expect(storyRiskShare(row({ surprise: Math.log(2_500), ruleOnEntity: 1 }))).toBe(0.5);
    expect(storyRiskShare(row({ surprise: 0.2, ruleOnEntity: 19 }))).toBeCloseTo(1 / 20, 9);
  });

  it('counts none of a routine row’s risk, and all of a row nothing can judge yet', () => {
    expect(storyRiskShare(row({ surprise: 0.01, ruleOnEntity: 3_000, routine: true }))).toBe(0);
    expect(storyRiskShare(NO_EVIDENCE)).toBe(1);
  });

  it('calls a rule new in the tenant only when the tenant never saw it and its baseline is trusted', () => {
    const fresh = rareFindingOf(row({ surprise: Math.log(5_001) }));
    expect(fresh !== null && isNewInTenant(fresh)).toBe(true);
    const known = rareFindingOf(row({ surprise: Math.log(5_001), ruleInTenant: 40 }));
    expect(known !== null && isNewInTenant(known)).toBe(false);
    const youngTenant = rareFindingOf(
      row({ surprise: Math.log(5_001), maturity: 0.1, tenantSurprise: 0.1 * Math.log(10_001) }),
    );
    expect(youngTenant !== null && isNewInTenant(youngTenant)).toBe(false);
    expect(rareFindingOf(row({ surprise: 0.2, ruleOnEntity: 19 }))).toBeNull();
  });
});
