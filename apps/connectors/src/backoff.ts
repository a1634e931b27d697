/**
 * How long a poller waits after a failed poll: exponential from `initialMs`, capped at `maxMs`,
 * with full jitter (`random` in [0, 1)) so pollers of many tenants that failed together do not
 * retry together. A source's own `Retry-After` wins over the computed delay. Pure.
 */
export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
}

export function backoffDelay(
  policy: BackoffPolicy,
  failures: number,
  random: number,
  retryAfterMs?: number,
): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(retryAfterMs, 0), policy.maxMs);
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, failures - 1));
  return Math.round(policy.initialMs / 2 + random * (ceiling - policy.initialMs / 2));
}

/**
 * `Retry-After` as delta seconds or an HTTP date, in ms from `now`; undefined when absent or
 * unreadable (the computed backoff applies).
 */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}
