import type { MigrationInterface, QueryRunner } from 'typeorm';
import { READ_MODEL_SCHEMA, applicationTablesDdl, readModelDdl } from '../schema';
import { createGroupRolesDdl } from '../service-roles';

/**
 * The first schema: application tables in `public`, the read model in its own schema, the
 * group roles (the application role and the services'), and row level security on every
 * tenant table. Run as a role that may
 * create roles and bypasses RLS (the database owner in development).
 */
export class InitialSchema1737000000000 implements MigrationInterface {
  readonly name = 'InitialSchema1737000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of createGroupRolesDdl) await queryRunner.query(statement);
    for (const statement of [...applicationTablesDdl(), ...readModelDdl(READ_MODEL_SCHEMA)]) {
      await queryRunner.query(statement);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP SCHEMA IF EXISTS ${READ_MODEL_SCHEMA} CASCADE`);
    await queryRunner.query('DROP FUNCTION IF EXISTS public.soc_api_key_lookup(text)');
    for (const table of ['feedback_sequences', 'assets', 'api_keys', 'tenants']) {
      await queryRunner.query(`DROP TABLE IF EXISTS public.${table}`);
    }
    // The group roles are cluster-wide and may serve other databases: left in place.
  }
}
