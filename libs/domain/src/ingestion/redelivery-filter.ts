import type { CanonicalAlert, EpochMs } from '@soc/contracts';

/**
 * Remembers which alerts were already accepted, so that an exact re-delivery (same tenant,
 * source system and alert id) within the horizon is counted instead of emitted twice.
 * Memory is bounded two ways: entries older than the horizon are evicted, and past
 * `maxEntries` the oldest go first. Time is an input; nothing here reads a clock.
 */
export class RedeliveryFilter {
  /** Insertion-ordered, so the first entries are always the oldest. */
  private readonly seenAt = new Map<string, EpochMs>();
  private redeliveries = 0;

  constructor(
    private readonly horizonMs: number,
    private readonly maxEntries = 1_000_000,
  ) {}

  static keyOf(alert: Pick<CanonicalAlert, 'tenantId' | 'sourceSystem' | 'alertId'>): string {
    return `${alert.tenantId}\u0000${alert.sourceSystem}\u0000${alert.alertId}`;
  }

  /** True the first time a key is seen within the horizon; false (and counted) after. */
  admit(key: string, now: EpochMs): boolean {
    this.evict(now);
    const seen = this.seenAt.get(key);
    if (seen !== undefined && now - seen < this.horizonMs) {
      this.redeliveries += 1;
      return false;
    }
    this.seenAt.delete(key);
    this.seenAt.set(key, now);
    if (this.seenAt.size > this.maxEntries) {
      const oldest = this.seenAt.keys().next().value as string;
      this.seenAt.delete(oldest);
    }
    return true;
  }

  /** Forgets a key admitted by a delivery that then failed, so the retry is not a duplicate. */
  forget(key: string): void {
    this.seenAt.delete(key);
  }

  get redeliveriesCounted(): number {
    return this.redeliveries;
  }

  get size(): number {
    return this.seenAt.size;
  }

  private evict(now: EpochMs): void {
    for (const [key, at] of this.seenAt) {
      if (now - at < this.horizonMs) return;
      this.seenAt.delete(key);
    }
  }
}
