import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows the burst, then one request per token, and says how long to wait', () => {
    const limiter = new RateLimiter({ perSecond: 2, burst: 3 });
    expect([0, 0, 0].map(() => limiter.take('k', 1_000))).toEqual([0, 0, 0]);
    expect(limiter.take('k', 1_000)).toBe(500);
    expect(limiter.take('k', 1_500)).toBe(0);
  });

  it('keeps keys apart and bounds how many it remembers', () => {
    const limiter = new RateLimiter({ perSecond: 1, burst: 1, maxKeys: 2 });
    expect(limiter.take('a', 0)).toBe(0);
    expect(limiter.take('b', 0)).toBe(0);
    expect(limiter.take('a', 0)).toBeGreaterThan(0);
    limiter.take('c', 0);
    limiter.take('d', 0);
    // 'a' was evicted as least recently used: it starts with a full bucket again.
    expect(limiter.take('a', 0)).toBe(0);
  });
});
