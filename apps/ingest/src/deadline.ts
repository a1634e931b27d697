/**
 * One request's time budget: every wait of the request races the same timer, so the answer
 * comes within the budget however many steps it waits on. `expired` builds the error the
 * request fails with then; the step itself goes on (see IngestService).
 */
export class Deadline {
  private timer: NodeJS.Timeout | undefined;
  private readonly expiry: Promise<never>;

  constructor(ms: number, expired: () => Error) {
    this.expiry = new Promise<never>((_, reject) => {
      this.timer = setTimeout(() => reject(expired()), ms);
    });
    // A request that ends before its deadline never awaits the expiry again.
    this.expiry.catch(() => undefined);
  }

  race<T>(step: Promise<T>): Promise<T> {
    return Promise.race([step, this.expiry]);
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}
