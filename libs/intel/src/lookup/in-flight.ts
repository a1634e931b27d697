/**
 * De-duplicates concurrent work by key: while a lookup for a key runs, every other caller
 * asking for the same key gets the same promise, so a burst of alerts sharing an indicator
 * costs one provider request.
 */
export class InFlight<T> {
  private readonly running = new Map<string, Promise<T>>();

  run(key: string, work: () => Promise<T>): Promise<T> {
    const existing = this.running.get(key);
    if (existing !== undefined) return existing;
    const started = work().finally(() => this.running.delete(key));
    this.running.set(key, started);
    return started;
  }
}
