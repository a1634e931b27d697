import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE, TENANT_SETTING } from '../schema';

/**
 * The query API's transactional outbox for analyst feedback: an action's event is written in
 * the transaction that allocates its sequence number, and relayed to the feedback topic after
 * the commit, so a number is never published by a transaction that then rolls back. The
 * tenant role may only insert its own tenant's rows; the relay reads and deletes as the
 * connection's role (the owner, or soc_query through its policies: service-roles.ts).
 */
export class FeedbackOutbox1737000031000 implements MigrationInterface {
  readonly name = 'FeedbackOutbox1737000031000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of [
      `CREATE TABLE public.feedback_outbox (
        position bigserial PRIMARY KEY,
        event_id uuid NOT NULL UNIQUE,
        tenant_id text NOT NULL,
        message_key text NOT NULL,
        value bytea NOT NULL,
        headers jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`,
      `ALTER TABLE public.feedback_outbox ENABLE ROW LEVEL SECURITY`,
      `CREATE POLICY tenant_inserts ON public.feedback_outbox FOR INSERT TO ${APP_ROLE}
        WITH CHECK (tenant_id = NULLIF(current_setting('${TENANT_SETTING}', true), ''))`,
      `GRANT INSERT ON public.feedback_outbox TO ${APP_ROLE}`,
      `GRANT USAGE ON SEQUENCE public.feedback_outbox_position_seq TO ${APP_ROLE}`,
    ])
      await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS public.feedback_outbox`);
  }
}
