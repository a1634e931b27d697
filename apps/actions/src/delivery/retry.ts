import { DeliveryError } from './delivery-error';

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/** Exponential backoff: the delay before attempt `attempt + 1`, doubled each time, capped. */
export function backoffDelayMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
}

export type RetryOutcome =
  | { readonly kind: 'delivered'; readonly attempts: number }
  | { readonly kind: 'failed'; readonly attempts: number; readonly reason: string }
  /** The consumer is stopping or lost the partition: nothing is settled, nothing committed. */
  | { readonly kind: 'aborted'; readonly attempts: number };

export interface RetryOptions {
  readonly attempt: () => Promise<void>;
  readonly policy: RetryPolicy;
  /** Waits about `ms`; returns false when the wait was cut short because work must stop. */
  readonly wait: (ms: number) => Promise<boolean>;
  readonly onFailure?: (error: DeliveryError, attempt: number) => void;
}

/**
 * Runs `attempt` until it succeeds, fails for good (not retryable), or the attempts run out.
 * A receiver's Retry-After lengthens the wait but never beyond the policy's cap.
 */
export async function deliverWithRetry(options: RetryOptions): Promise<RetryOutcome> {
  const { policy } = options;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await options.attempt();
      return { kind: 'delivered', attempts: attempt };
    } catch (caught) {
      const error =
        caught instanceof DeliveryError
          ? caught
          : new DeliveryError(caught instanceof Error ? caught.message : String(caught), true);
      options.onFailure?.(error, attempt);
      if (!error.retryable || attempt >= policy.maxAttempts) {
        const why = error.retryable ? `gave up after ${attempt} attempts` : 'not retryable';
        return { kind: 'failed', attempts: attempt, reason: `${error.message} (${why})` };
      }
      const delay = Math.min(
        policy.maxDelayMs,
        Math.max(backoffDelayMs(policy, attempt), error.retryAfterMs ?? 0),
      );
      if (!(await options.wait(delay))) return { kind: 'aborted', attempts: attempt };
    }
  }
}
