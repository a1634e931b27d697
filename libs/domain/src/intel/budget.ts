import type { EpochMs } from '@soc/contracts';

/** A provider's request allowance: a per-minute rate (token bucket) and a per-day quota. */
export interface BudgetLimits {
  readonly perMinute: number;
  /** Requests per UTC day; the day resets at 00:00 UTC as VirusTotal's quota does. */
  readonly perDay: number;
}

/** VirusTotal's public API: 4 requests a minute, 500 a day. */
export const VIRUSTOTAL_PUBLIC_LIMITS: BudgetLimits = { perMinute: 4, perDay: 500 };
/** AbuseIPDB's free plan: 1000 checks a day; its per-minute rate is not published, 60 is polite. */
export const ABUSEIPDB_FREE_LIMITS: BudgetLimits = { perMinute: 60, perDay: 1000 };

export interface BudgetState {
  /** Tokens in the minute bucket, fractional while refilling. */
  readonly tokens: number;
  readonly refilledAt: EpochMs;
  /** The UTC day (days since the epoch) that `usedToday` counts. */
  readonly day: number;
  readonly usedToday: number;
  /** The provider said stop (HTTP 429 with Retry-After) until this time. */
  readonly blockedUntil: EpochMs;
}

export type BudgetDecision =
  | { readonly granted: true; readonly state: BudgetState }
  | {
      readonly granted: false;
      readonly state: BudgetState;
      readonly retryAt: EpochMs;
      readonly reason: string;
    };

const MINUTE = 60_000;
const DAY = 86_400_000;

const dayOf = (at: EpochMs): number => Math.floor(at / DAY);

export const freshBudget = (limits: BudgetLimits, at: EpochMs): BudgetState => ({
  tokens: limits.perMinute,
  refilledAt: at,
  day: dayOf(at),
  usedToday: 0,
  blockedUntil: 0,
});

/** The state at `at`: the bucket refilled for the time passed, the day count reset on a new day. */
export function refill(state: BudgetState, limits: BudgetLimits, at: EpochMs): BudgetState {
  const elapsed = Math.max(0, at - state.refilledAt);
  const tokens = Math.min(limits.perMinute, state.tokens + (elapsed * limits.perMinute) / MINUTE);
  const day = dayOf(at);
  return {
    ...state,
    tokens,
    refilledAt: Math.max(at, state.refilledAt),
    day,
    usedToday: day === state.day ? state.usedToday : 0,
  };
}

/** Why a request may not go now, and when it may; undefined when it may. */
function refusal(
  state: BudgetState,
  limits: BudgetLimits,
  at: EpochMs,
): { retryAt: EpochMs; reason: string } | undefined {
  if (state.blockedUntil > at)
    return { retryAt: state.blockedUntil, reason: 'provider asked to wait (rate limited)' };
  if (state.usedToday >= limits.perDay)
    return {
      retryAt: (state.day + 1) * DAY,
      reason: `daily quota of ${limits.perDay} requests spent`,
    };
  if (state.tokens < 1) {
    const wait = Math.ceil(((1 - state.tokens) * MINUTE) / limits.perMinute);
    return { retryAt: at + wait, reason: `rate of ${limits.perMinute} requests a minute reached` };
  }
  return undefined;
}

/** Takes one request from the budget, or says when the next one may go. */
export function takeRequest(state: BudgetState, limits: BudgetLimits, at: EpochMs): BudgetDecision {
  const current = refill(state, limits, at);
  const refused = refusal(current, limits, at);
  if (refused !== undefined) return { granted: false, state: current, ...refused };
  return {
    granted: true,
    state: { ...current, tokens: current.tokens - 1, usedToday: current.usedToday + 1 },
  };
}

/**
 * Takes one request from every budget at once (the API key's and the tenant's share), or
 * from none: a refused request spends nothing anywhere. The retry time is the latest one.
 */
export function takeFromAll(
  budgets: readonly { readonly state: BudgetState; readonly limits: BudgetLimits }[],
  at: EpochMs,
): { granted: boolean; states: BudgetState[]; retryAt: EpochMs; reason: string | null } {
  const decisions = budgets.map(({ state, limits }) => takeRequest(state, limits, at));
  const refused = decisions.filter(
    (d): d is Extract<BudgetDecision, { granted: false }> => !d.granted,
  );
  if (refused.length === 0)
    return { granted: true, states: decisions.map((d) => d.state), retryAt: at, reason: null };
  const latest = refused.reduce((a, b) => (b.retryAt > a.retryAt ? b : a));
  return {
    granted: false,
    states: budgets.map(({ state, limits }) => refill(state, limits, at)),
    retryAt: latest.retryAt,
    reason: latest.reason,
  };
}

/** Records the provider's own "wait until" (HTTP 429 Retry-After): nothing goes before it. */
export const blockUntil = (state: BudgetState, until: EpochMs): BudgetState => ({
  ...state,
  blockedUntil: Math.max(state.blockedUntil, until),
});
