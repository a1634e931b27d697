import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE, READ_MODEL_SCHEMA, tenantConfigHistoryDdl, tenantIsolationDdl } from '../schema';

/**
 * Tenant configuration through the admin API. `public.tenant_config_heads` is the API's own
 * row per tenant (not a projection): the version in force and its document, locked and
 * raised in the transaction that produces the next version, so two admins saving at once get
 * one success and one 409. The history is a projection (`read_model.tenant_config_history`);
 * read models created after it joined readModelDdl already have it, hence IF NOT EXISTS.
 */
export class TenantConfig1737000015000 implements MigrationInterface {
  readonly name = 'TenantConfig1737000015000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const heads = 'public.tenant_config_heads';
    await queryRunner.query(`CREATE TABLE ${heads} (
      tenant_id text PRIMARY KEY,
      version integer NOT NULL CHECK (version > 0),
      config jsonb NOT NULL,
      changed_by text NOT NULL,
      reason text NOT NULL,
      changed_at timestamptz NOT NULL
    )`);
    for (const statement of tenantIsolationDdl(heads)) await queryRunner.query(statement);
    await queryRunner.query(`GRANT SELECT, INSERT, UPDATE ON ${heads} TO ${APP_ROLE}`);
    const history = `${READ_MODEL_SCHEMA}.tenant_config_history`;
    const [existing] = (await queryRunner.query('SELECT to_regclass($1) IS NOT NULL AS present', [
      history,
    ])) as { present: boolean }[];
    if (existing?.present) return;
    await queryRunner.query(tenantConfigHistoryDdl(READ_MODEL_SCHEMA, true));
    for (const statement of tenantIsolationDdl(history)) await queryRunner.query(statement);
    await queryRunner.query(`GRANT SELECT ON ${history} TO ${APP_ROLE}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS ${READ_MODEL_SCHEMA}.tenant_config_history`);
    await queryRunner.query('DROP TABLE IF EXISTS public.tenant_config_heads');
  }
}
