import type { IntelIndicatorKind, ThreatIntelVerdictLabel } from '@soc/contracts';
import type { Indicator, IntelVerdict } from '@soc/domain';
import { selectRows, type DataSource } from '@soc/persistence';

interface CacheRow {
  readonly provider: string;
  readonly kind: IntelIndicatorKind;
  readonly indicator: string;
  readonly verdict: ThreatIntelVerdictLabel;
  readonly score: number;
  readonly evidence: string;
  readonly fetched_at: Date;
  readonly expires_at: Date;
}

const verdictOf = (row: CacheRow): IntelVerdict => ({
  provider: row.provider,
  kind: row.kind,
  indicator: row.indicator,
  verdict: row.verdict,
  score: row.score,
  evidence: row.evidence,
  fetchedAt: row.fetched_at.getTime(),
  expiresAt: row.expires_at.getTime(),
});

/**
 * The shared verdict cache in PostgreSQL: one row per provider and indicator, written with
 * the TTL of its verdict kind (DEFAULT_VERDICT_TTLS), read only while fresh. Every intel
 * instance and every tenant shares it, so an indicator seen across tenants costs one
 * request per TTL. Expired rows are overwritten by the next lookup and purged by `purge`.
 */
export class VerdictCache {
  constructor(private readonly db: DataSource) {}

  async fresh(
    provider: string,
    indicator: Indicator,
    at: number,
  ): Promise<IntelVerdict | undefined> {
    const [row] = await selectRows<CacheRow>(
      this.db,
      `SELECT * FROM public.intel_verdict_cache
        WHERE provider = $1 AND kind = $2 AND indicator = $3 AND expires_at > $4`,
      [provider, indicator.kind, indicator.value, new Date(at)],
    );
    return row === undefined ? undefined : verdictOf(row);
  }

  /** Stores a verdict unless a newer one for the same indicator is already there. */
  async put(verdict: IntelVerdict): Promise<void> {
    await this.db.query(
      `INSERT INTO public.intel_verdict_cache AS c
         (provider, kind, indicator, verdict, score, evidence, fetched_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (provider, kind, indicator) DO UPDATE
         SET verdict = EXCLUDED.verdict, score = EXCLUDED.score, evidence = EXCLUDED.evidence,
             fetched_at = EXCLUDED.fetched_at, expires_at = EXCLUDED.expires_at
       WHERE c.fetched_at <= EXCLUDED.fetched_at`,
      [
        verdict.provider,
        verdict.kind,
        verdict.indicator,
        verdict.verdict,
        verdict.score,
        verdict.evidence,
        new Date(verdict.fetchedAt),
        new Date(verdict.expiresAt),
      ],
    );
  }

  /** Deletes rows expired before `at`; returns how many. */
  async purge(at: number): Promise<number> {
    const rows = await selectRows<{ n: string }>(
      this.db,
      'WITH gone AS (DELETE FROM public.intel_verdict_cache WHERE expires_at <= $1 RETURNING 1) SELECT count(*) AS n FROM gone',
      [new Date(at)],
    );
    return Number(rows[0]?.n ?? 0);
  }
}
