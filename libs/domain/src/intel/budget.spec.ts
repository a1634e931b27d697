import {
  blockUntil,
  freshBudget,
  takeFromAll,
  takeRequest,
  VIRUSTOTAL_PUBLIC_LIMITS,
  type BudgetState,
} from './budget';

const START = Date.UTC(2026, 11, 1, 10, 0, 0);
const take = (state: BudgetState, at: number) => takeRequest(state, VIRUSTOTAL_PUBLIC_LIMITS, at);

describe('request budgets', () => {
  it('allows VirusTotal’s 4 requests a minute, then says when the next one may go', () => {
    let state = freshBudget(VIRUSTOTAL_PUBLIC_LIMITS, START);
    for (let i = 0; i < 4; i += 1) {
      const decision = take(state, START);
      expect(decision.granted).toBe(true);
      state = decision.state;
    }
    const refused = take(state, START);
    expect(refused).toMatchObject({
      granted: false,
      retryAt: START + 15_000,
      reason: 'rate of 4 requests a minute reached',
    });
    expect(take(refused.state, START + 15_000).granted).toBe(true);
  });

  it('stops at 500 a day and opens again at 00:00 UTC', () => {
    let state = freshBudget(VIRUSTOTAL_PUBLIC_LIMITS, START);
    let at = START;
    for (let i = 0; i < 500; i += 1) {
      const decision = take(state, at);
      expect(decision.granted).toBe(true);
      state = decision.state;
      at += 15_000;
    }
    const refused = take(state, at);
    const midnight = Date.UTC(2026, 11, 2);
    expect(refused).toMatchObject({
      granted: false,
      retryAt: midnight,
      reason: 'daily quota of 500 requests spent',
    });
    expect(take(refused.state, midnight).granted).toBe(true);
  });

  it('honours the provider’s Retry-After over its own arithmetic', () => {
    const state = blockUntil(freshBudget(VIRUSTOTAL_PUBLIC_LIMITS, START), START + 60_000);
    expect(take(state, START + 59_999)).toMatchObject({ granted: false, retryAt: START + 60_000 });
    expect(take(state, START + 60_000).granted).toBe(true);
  });

  it('takes from the key’s and the tenant’s budget together, or from neither', () => {
    const key = {
      state: freshBudget(VIRUSTOTAL_PUBLIC_LIMITS, START),
      limits: VIRUSTOTAL_PUBLIC_LIMITS,
    };
    const tenantLimits = { perMinute: 4, perDay: 1 };
    const spentTenant = {
      state: { ...freshBudget(tenantLimits, START), usedToday: 1 },
      limits: tenantLimits,
    };
    const refused = takeFromAll([key, spentTenant], START);
    expect(refused).toMatchObject({ granted: false, reason: 'daily quota of 1 requests spent' });
    expect(refused.states[0]?.tokens).toBe(4);
    const granted = takeFromAll(
      [key, { state: freshBudget(tenantLimits, START), limits: tenantLimits }],
      START,
    );
    expect(granted.granted).toBe(true);
    expect(granted.states.map((s) => s.usedToday)).toEqual([1, 1]);
  });
});
