import type { FiringRarity } from '../../src/scoring/evidence/rarity';

/** A firing's rarity for the specs: a rule new on a busy host of a mature tenant, unless told. */
export const aFiringRarity = (overrides: Partial<FiringRarity>): FiringRarity => ({
  surprise: 0,
  unweighedSurprise: overrides.surprise ?? 0,
  maturity: 1,
  tenantSurprise: Math.log(10_001),
  entityKey: 'host:mail',
  ruleOnEntity: 0,
  entityAlerts: 5_000,
  ruleInTenant: 0,
  tenantAlerts: 10_000,
  routine: false,
  ...overrides,
});
