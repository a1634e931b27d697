import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE, READ_MODEL_SCHEMA, streamPositionsDdl, tenantIsolationDdl } from '../schema';

/**
 * Adds `stream_positions` to read models created before it existed. Fresh databases get it
 * from the first migration (readModelDdl is the read model's current shape), hence IF NOT EXISTS.
 */
export class StreamPositions1737000001000 implements MigrationInterface {
  readonly name = 'StreamPositions1737000001000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const table = `${READ_MODEL_SCHEMA}.stream_positions`;
    const [existing] = (await queryRunner.query('SELECT to_regclass($1) IS NOT NULL AS present', [
      table,
    ])) as { present: boolean }[];
    if (existing?.present) return;
    await queryRunner.query(streamPositionsDdl(READ_MODEL_SCHEMA, true));
    for (const statement of tenantIsolationDdl(table)) await queryRunner.query(statement);
    await queryRunner.query(`GRANT SELECT ON ${table} TO ${APP_ROLE}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS ${READ_MODEL_SCHEMA}.stream_positions`);
  }
}
