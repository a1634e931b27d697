import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tables of the intel enrichment service (apps/intel). None is a read model: the verdicts
 * themselves are events on soc.intel.v1. The cache is shared by every tenant (a provider's
 * verdict on an indicator does not depend on who asked), so it has no tenant column and no
 * row-level security; the application role gets no grant on any of them.
 */
const STATEMENTS = [
  `CREATE TABLE public.intel_verdict_cache (
     provider    text        NOT NULL,
     kind        text        NOT NULL,
     indicator   text        NOT NULL,
     verdict     text        NOT NULL CHECK (verdict IN ('malicious', 'suspicious', 'benign', 'unknown')),
     score       smallint    NOT NULL CHECK (score BETWEEN 0 AND 100),
     evidence    text        NOT NULL,
     fetched_at  timestamptz NOT NULL,
     expires_at  timestamptz NOT NULL,
     PRIMARY KEY (provider, kind, indicator)
   )`,
  'CREATE INDEX intel_verdict_cache_expiry ON public.intel_verdict_cache (expires_at)',
  // One row per budget scope (an API key, a tenant's share); the state is the pure budget's.
  `CREATE TABLE public.intel_budgets (
     scope      text        PRIMARY KEY,
     state      jsonb       NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now()
   )`,
  // Lookups accepted from alerts and not yet answered: durable, so a restart loses none.
  `CREATE TABLE public.intel_pending_lookups (
     tenant_id      text        NOT NULL,
     provider       text        NOT NULL,
     kind           text        NOT NULL,
     indicator      text        NOT NULL,
     hash_algorithm text,
     alert_ids      text[]      NOT NULL,
     partition      integer     NOT NULL,
     due_at         timestamptz NOT NULL,
     attempts       integer     NOT NULL DEFAULT 0,
     last_error     text,
     created_at     timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (tenant_id, provider, kind, indicator)
   )`,
  'CREATE INDEX intel_pending_lookups_due ON public.intel_pending_lookups (due_at)',
  `CREATE TABLE public.intel_event_sequences (
     tenant_id     text   NOT NULL,
     stream_id     text   NOT NULL,
     last_sequence bigint NOT NULL,
     PRIMARY KEY (tenant_id, stream_id)
   )`,
];

export class ThreatIntel1737000013000 implements MigrationInterface {
  readonly name = 'ThreatIntel1737000013000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of STATEMENTS) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'intel_event_sequences',
      'intel_pending_lookups',
      'intel_budgets',
      'intel_verdict_cache',
    ]) {
      await queryRunner.query(`DROP TABLE IF EXISTS public.${table}`);
    }
  }
}
