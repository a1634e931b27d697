import type { HashAlgorithm, IntelIndicatorKind } from '@soc/contracts';
import type { Indicator } from '@soc/domain';
import { selectRows, type DataSource, type Queryable } from '@soc/persistence';

/** A lookup an alert asked for and no provider has answered yet. */
export interface PendingLookup {
  readonly tenantId: string;
  readonly provider: string;
  readonly indicator: Indicator;
  readonly alertIds: readonly string[];
  /** The alert's partition: the verdict is written to the same partition of soc.intel.v1. */
  readonly partition: number;
  readonly attempts: number;
}

interface PendingRow {
  readonly tenant_id: string;
  readonly provider: string;
  readonly kind: IntelIndicatorKind;
  readonly indicator: string;
  readonly hash_algorithm: HashAlgorithm | null;
  readonly alert_ids: string[];
  readonly partition: number;
  readonly attempts: number;
}

/** An indicator in a flood of alerts keeps the first this many alert ids; the rest are counted on the incident. */
export const MAX_ALERT_IDS_PER_LOOKUP = 100;

const lookupOf = (row: PendingRow): PendingLookup => ({
  tenantId: row.tenant_id,
  provider: row.provider,
  indicator: { kind: row.kind, value: row.indicator, hashAlgorithm: row.hash_algorithm },
  alertIds: row.alert_ids,
  partition: row.partition,
  attempts: row.attempts,
});

/**
 * The durable queue of remote lookups in PostgreSQL. The alert consumer enqueues and then
 * commits its offset, so an accepted lookup survives a crash; one row per tenant, provider
 * and indicator de-duplicates alerts that share an indicator while its lookup waits. Workers
 * claim due rows with SKIP LOCKED and a lease, so instances never work on the same row.
 */
export class PendingLookups {
  constructor(private readonly db: DataSource) {}

  async enqueue(
    lookup: Omit<PendingLookup, 'attempts'>,
    dueAt: number,
    db: Queryable = this.db,
  ): Promise<void> {
    await db.query(
      `INSERT INTO public.intel_pending_lookups AS p
         (tenant_id, provider, kind, indicator, hash_algorithm, alert_ids, partition, due_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (tenant_id, provider, kind, indicator) DO UPDATE
         SET alert_ids = (SELECT (array_agg(DISTINCT id))[1:${MAX_ALERT_IDS_PER_LOOKUP}]
                            FROM unnest(p.alert_ids || EXCLUDED.alert_ids) AS id)`,
      [
        lookup.tenantId,
        lookup.provider,
        lookup.indicator.kind,
        lookup.indicator.value,
        lookup.indicator.hashAlgorithm,
        lookup.alertIds.slice(0, MAX_ALERT_IDS_PER_LOOKUP),
        lookup.partition,
        new Date(dueAt),
      ],
    );
  }

  /** Claims up to `limit` due lookups, leasing them for `leaseMs` (a crashed worker's rows come back). */
  async claimDue(at: number, limit: number, leaseMs: number): Promise<PendingLookup[]> {
    const rows = await selectRows<PendingRow>(
      this.db,
      `WITH claimed AS (
         UPDATE public.intel_pending_lookups AS p SET due_at = $2
          WHERE (tenant_id, provider, kind, indicator) IN (
            SELECT tenant_id, provider, kind, indicator FROM public.intel_pending_lookups
             WHERE due_at <= $1 ORDER BY due_at LIMIT $3 FOR UPDATE SKIP LOCKED)
          RETURNING p.*)
       SELECT * FROM claimed`,
      [new Date(at), new Date(at + leaseMs), limit],
    );
    return rows.map(lookupOf);
  }

  /**
   * Done with the alerts the claim carried. Alerts that joined while the lookup ran stay
   * pending, due at once: their verdict comes from the cache on the next round.
   */
  async complete(lookup: PendingLookup, at: number): Promise<void> {
    await this.db.query(
      `WITH done AS (
         DELETE FROM public.intel_pending_lookups
          WHERE tenant_id = $1 AND provider = $2 AND kind = $3 AND indicator = $4 AND alert_ids <@ $5::text[]
          RETURNING 1)
       UPDATE public.intel_pending_lookups
          SET alert_ids = ARRAY(SELECT unnest(alert_ids) EXCEPT SELECT unnest($5::text[])), due_at = $6, attempts = 0
        WHERE tenant_id = $1 AND provider = $2 AND kind = $3 AND indicator = $4 AND NOT EXISTS (SELECT 1 FROM done)`,
      [
        lookup.tenantId,
        lookup.provider,
        lookup.indicator.kind,
        lookup.indicator.value,
        lookup.alertIds,
        new Date(at),
      ],
    );
  }

  async reschedule(lookup: PendingLookup, dueAt: number, error: string): Promise<void> {
    await this.db.query(
      `UPDATE public.intel_pending_lookups SET due_at = $5, attempts = attempts + 1, last_error = $6
        WHERE tenant_id = $1 AND provider = $2 AND kind = $3 AND indicator = $4`,
      [
        lookup.tenantId,
        lookup.provider,
        lookup.indicator.kind,
        lookup.indicator.value,
        new Date(dueAt),
        error,
      ],
    );
  }

  async count(): Promise<number> {
    const [row] = await selectRows<{ n: string }>(
      this.db,
      'SELECT count(*) AS n FROM public.intel_pending_lookups',
    );
    return Number(row?.n ?? 0);
  }
}
