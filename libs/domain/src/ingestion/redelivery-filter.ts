import type { CanonicalAlert, EpochMs } from '@soc/contracts';
import { deleteOldest, evictionCursor, oldestEntry } from '../oldest-first';

/**
 * What one remembered key costs, counted as its UTF-16 size plus this much for the Map entry
 * and the timestamp beside it (V8 stores one-byte keys in half that, so this is an upper bound).
 */
export const REDELIVERY_ENTRY_OVERHEAD_BYTES = 64;

export interface RedeliveryBounds {
  /** How long a key is remembered. */
  readonly horizonMs: number;
  /** The memory the keys may take (see REDELIVERY_ENTRY_OVERHEAD_BYTES); the oldest go first. */
  readonly maxBytes: number;
}

/** Where a batch's alerts are checked against what was already accepted (see admitBatch). */
export interface RedeliveryAdmission {
  /** True the first time a key is seen within the horizon; false for a re-delivery. */
  admit(key: string, now: EpochMs): boolean;
}

/**
 * Remembers which alerts were already accepted, so that an exact re-delivery (same tenant,
 * source system and alert id) within the horizon is counted instead of emitted twice.
 * Memory is bounded two ways: entries older than the horizon are evicted, and past
 * `maxBytes` the oldest go first. Time is an input; nothing here reads a clock.
 */
export class RedeliveryFilter implements RedeliveryAdmission {
  /** Insertion-ordered, so the first entries are the oldest. */
  private readonly seenAt = new Map<string, EpochMs>();
  private readonly evictions = evictionCursor<string>();
  private bytes = 0;
  private redeliveries = 0;

  constructor(private readonly bounds: RedeliveryBounds) {}

  static keyOf(alert: Pick<CanonicalAlert, 'tenantId' | 'sourceSystem' | 'alertId'>): string {
    return `${alert.tenantId}\u0000${alert.sourceSystem}\u0000${alert.alertId}`;
  }

  static entryBytes(key: string): number {
    return key.length * 2 + REDELIVERY_ENTRY_OVERHEAD_BYTES;
  }

  admit(key: string, now: EpochMs): boolean {
    this.evictExpired(now);
    if (this.has(key, now)) {
      this.redeliveries += 1;
      return false;
    }
    this.forget(key);
    this.insert(key, now);
    return true;
  }

  /**
   * Remembers a key known to be written at `at` (read back from the alert log), without
   * counting it: a key already remembered keeps its first time.
   */
  remember(key: string, at: EpochMs): void {
    if (this.seenAt.has(key)) return;
    this.insert(key, at);
  }

  /** Whether the key was admitted or remembered within the horizon before `now`. */
  has(key: string, now: EpochMs): boolean {
    const seen = this.seenAt.get(key);
    return seen !== undefined && now - seen < this.bounds.horizonMs;
  }

  /** Forgets a key admitted by a delivery that then failed, so the retry is not a duplicate. */
  forget(key: string): void {
    if (this.seenAt.delete(key)) this.bytes -= RedeliveryFilter.entryBytes(key);
  }

  get redeliveriesCounted(): number {
    return this.redeliveries;
  }

  get size(): number {
    return this.seenAt.size;
  }

  get bytesUsed(): number {
    return this.bytes;
  }

  private insert(key: string, at: EpochMs): void {
    this.seenAt.set(key, at);
    this.bytes += RedeliveryFilter.entryBytes(key);
    while (this.bytes > this.bounds.maxBytes) {
      const [oldest] = deleteOldest(this.seenAt, this.evictions) as [string, EpochMs];
      this.bytes -= RedeliveryFilter.entryBytes(oldest);
    }
  }

  private evictExpired(now: EpochMs): void {
    for (;;) {
      const oldest = oldestEntry(this.seenAt, this.evictions);
      if (oldest === undefined || now - oldest[1] < this.bounds.horizonMs) return;
      this.forget(oldest[0]);
    }
  }
}
