import type { MigrationInterface, QueryRunner } from 'typeorm';
import {
  APP_ROLE,
  READ_MODEL_SCHEMA,
  minuteStatsDdl,
  storyDdl,
  tenantIsolationDdl,
} from '../schema';

/**
 * Adds the read models of the story queue to databases created before them: `stories`
 * (attack stories, recomputed from their member incidents) and `tenant_minute_stats` (the
 * hourly counters per minute, for charts of the last minutes). Fresh databases get both from
 * the first migration (readModelDdl is the read model's current shape), hence the checks.
 * Incidents projected before the upgrade get their stories and minutes from
 * `soc projector rebuild`.
 */
export class Stories1737000016500 implements MigrationInterface {
  readonly name = 'Stories1737000016500';

  async up(queryRunner: QueryRunner): Promise<void> {
    const tables = [
      { table: 'stories', ddl: storyDdl(READ_MODEL_SCHEMA, true) },
      { table: 'tenant_minute_stats', ddl: [minuteStatsDdl(READ_MODEL_SCHEMA, true)] },
    ];
    for (const { table, ddl } of tables) {
      const name = `${READ_MODEL_SCHEMA}.${table}`;
      const [existing] = (await queryRunner.query('SELECT to_regclass($1) IS NOT NULL AS present', [
        name,
      ])) as { present: boolean }[];
      if (existing?.present) continue;
      for (const statement of ddl) await queryRunner.query(statement);
      for (const statement of tenantIsolationDdl(name)) await queryRunner.query(statement);
      await queryRunner.query(`GRANT SELECT ON ${name} TO ${APP_ROLE}`);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS ${READ_MODEL_SCHEMA}.tenant_minute_stats`);
    await queryRunner.query(`DROP TABLE IF EXISTS ${READ_MODEL_SCHEMA}.stories`);
    await queryRunner.query(`DROP INDEX IF EXISTS ${READ_MODEL_SCHEMA}.incidents_by_story`);
  }
}
