/**
 * Token buckets by key (an API key's tenant and subject, or a client address), bounded in
 * number: past `maxKeys` the least recently used bucket goes, so a flood of distinct keys
 * costs memory only up to the bound. Time is an input, so it is tested without waiting.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly options: {
      /** Tokens added a second: the sustained rate. */
      readonly perSecond: number;
      /** Bucket size: the burst allowed after a quiet period. */
      readonly burst: number;
      readonly maxKeys?: number;
    },
  ) {}

  /** Takes a token; 0 when allowed, else the milliseconds until one is available. */
  take(key: string, now: number): number {
    const { perSecond, burst } = this.options;
    const bucket = this.buckets.get(key) ?? { tokens: burst, at: now };
    this.buckets.delete(key);
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1_000) * perSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    for (const oldest of this.buckets.keys()) {
      if (this.buckets.size <= (this.options.maxKeys ?? 10_000)) break;
      this.buckets.delete(oldest);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / perSecond) * 1_000);
  }
}
