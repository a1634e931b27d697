import { DeliveryError, retryAfterMs } from './delivery-error';
import { backoffDelayMs, deliverWithRetry } from './retry';

const policy = { maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 350 };

describe('delivery retries', () => {
  it('backs off exponentially up to the cap', () => {
    expect([1, 2, 3, 4].map((attempt) => backoffDelayMs(policy, attempt))).toEqual([
      100, 200, 350, 350,
    ]);
  });

  it('retries retryable failures and honours Retry-After within the cap', async () => {
    const waits: number[] = [];
    let calls = 0;
    const outcome = await deliverWithRetry({
      policy,
      attempt: async () => {
        calls += 1;
        if (calls === 1) throw new DeliveryError('429', true, 300);
        if (calls === 2) throw new DeliveryError('503', true);
      },
      wait: async (ms) => {
        waits.push(ms);
        return true;
      },
    });
    expect(outcome).toEqual({ kind: 'delivered', attempts: 3 });
    expect(waits).toEqual([300, 200]);
  });

  it('fails at once on a permanent refusal and after the last attempt otherwise', async () => {
    const wait = async () => true;
    await expect(
      deliverWithRetry({
        policy,
        wait,
        attempt: () => Promise.reject(new DeliveryError('400 bad', false)),
      }),
    ).resolves.toEqual({ kind: 'failed', attempts: 1, reason: '400 bad (not retryable)' });
    await expect(
      deliverWithRetry({
        policy,
        wait,
        attempt: () => Promise.reject(new Error('socket hang up')),
      }),
    ).resolves.toEqual({
      kind: 'failed',
      attempts: 4,
      reason: 'socket hang up (gave up after 4 attempts)',
    });
  });

  it('stops without settling when the wait is cut short', async () => {
    await expect(
      deliverWithRetry({
        policy,
        wait: async () => false,
        attempt: () => Promise.reject(new DeliveryError('503', true)),
      }),
    ).resolves.toEqual({ kind: 'aborted', attempts: 1 });
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.UTC(2025, 0, 1, 0, 0, 0);
    expect(retryAfterMs('7', now)).toBe(7000);
    expect(retryAfterMs(new Date(now + 2000).toUTCString(), now)).toBe(2000);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
  });
});
