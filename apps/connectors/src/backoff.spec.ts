import { backoffDelay, retryAfterMs } from './backoff';

const policy = { initialMs: 1_000, maxMs: 60_000 };

describe('backoff', () => {
  it('grows exponentially up to the cap, jittered within it', () => {
    expect(backoffDelay(policy, 1, 0.999)).toBeLessThanOrEqual(1_000);
    expect(backoffDelay(policy, 4, 0.999)).toBe(7_993);
    expect(backoffDelay(policy, 30, 0.999)).toBeLessThanOrEqual(60_000);
    expect(backoffDelay(policy, 30, 0)).toBe(500);
  });

  it("takes the source's Retry-After, capped", () => {
    expect(backoffDelay(policy, 5, 0.5, 2_000)).toBe(2_000);
    expect(backoffDelay(policy, 1, 0.5, 3_600_000)).toBe(60_000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2024-01-01T00:00:00Z');
    expect(retryAfterMs('2', now)).toBe(2_000);
    expect(retryAfterMs('Mon, 01 Jan 2024 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
