import type { MigrationInterface, QueryRunner } from 'typeorm';
import { READ_MODEL_SCHEMA } from '../schema';
import {
  applicationAccessDdl,
  createGroupRolesDdl,
  readModelAccessDdl,
  SERVICE_ROLES,
} from '../service-roles';

/**
 * Least privilege: one NOLOGIN group role per service that uses the database, with the grants
 * and row-level-security policies its queries need and nothing else (service-roles.ts).
 * Operators give each service a login in its group (`soc db create-login`). Databases created
 * after the roles joined the first migration already have the read-model part; every
 * statement is idempotent, so running it there changes nothing.
 */
export class ServiceRoles1737000040000 implements MigrationInterface {
  readonly name = 'ServiceRoles1737000040000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of [
      ...createGroupRolesDdl,
      ...readModelAccessDdl(READ_MODEL_SCHEMA),
      ...applicationAccessDdl(),
    ])
      await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    // The roles are cluster-wide (other databases may use them): only this database's grants go.
    for (const role of Object.values(SERVICE_ROLES)) {
      await queryRunner.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}`);
      await queryRunner.query(`REVOKE ALL ON ALL FUNCTIONS IN SCHEMA public FROM ${role}`);
      await queryRunner.query(
        `REVOKE ALL ON ALL TABLES IN SCHEMA ${READ_MODEL_SCHEMA} FROM ${role}`,
      );
      await queryRunner.query(`REVOKE ALL ON SCHEMA ${READ_MODEL_SCHEMA} FROM ${role}`);
    }
    for (const [table, policy] of [
      ['public.assets', 'correlator_reads_all_tenants'],
      ['public.feedback_outbox', 'outbox_relay_reads'],
      ['public.feedback_outbox', 'outbox_relay_deletes'],
    ] as const)
      await queryRunner.query(`DROP POLICY IF EXISTS ${policy} ON ${table}`);
  }
}
