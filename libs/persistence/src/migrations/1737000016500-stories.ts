import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE, READ_MODEL_SCHEMA, storyDdl, tenantIsolationDdl } from '../schema';

/**
 * Adds the `stories` read model (attack stories, recomputed from their member incidents) to
 * databases created before it existed; fresh databases get it from the first migration
 * (readModelDdl is the read model's current shape), hence the check. Incidents projected before
 * the upgrade get their stories from `soc projector rebuild`.
 */
export class Stories1737000016500 implements MigrationInterface {
  readonly name = 'Stories1737000016500';

  async up(queryRunner: QueryRunner): Promise<void> {
    const table = `${READ_MODEL_SCHEMA}.stories`;
    const [existing] = (await queryRunner.query('SELECT to_regclass($1) IS NOT NULL AS present', [
      table,
    ])) as { present: boolean }[];
    if (existing?.present) return;
    for (const statement of storyDdl(READ_MODEL_SCHEMA, true)) await queryRunner.query(statement);
    for (const statement of tenantIsolationDdl(table)) await queryRunner.query(statement);
    await queryRunner.query(`GRANT SELECT ON ${table} TO ${APP_ROLE}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS ${READ_MODEL_SCHEMA}.stories`);
    await queryRunner.query(`DROP INDEX IF EXISTS ${READ_MODEL_SCHEMA}.incidents_by_story`);
  }
}
