export interface WaitForOptions {
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /**
   * What is being waited for, named in the timeout error; a function is called at the timeout,
   * so it can show what a process logged while it was waited for.
   */
  readonly describe: string | (() => string);
}

/**
 * Polls `probe` until it returns a value other than `undefined`/`false`, and returns it.
 * Tests wait on conditions with this, never on fixed sleeps.
 */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  { timeoutMs = 30_000, intervalMs = 50, describe }: WaitForOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      const what = typeof describe === 'function' ? describe() : describe;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
