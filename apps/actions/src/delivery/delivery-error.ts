/**
 * A receiver's refusal or an unreachable receiver. `retryable` decides between backing off
 * and dead-lettering at once: a 400 will not get better by itself, a 503 may.
 */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    /** How long the receiver asked us to wait (HTTP Retry-After), if it did. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

const RETRYABLE_STATUS = new Set([408, 425, 429]);

export function isRetryableStatus(status: number): boolean {
  return status >= 500 || RETRYABLE_STATUS.has(status);
}

/** Retry-After as seconds or as an HTTP date, in ms from `now`; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
