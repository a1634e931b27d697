import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The projector's dead letters: records it could not decode, and records whose write failed
 * for a reason a retry cannot change. Written in the batch's own transaction, beside the
 * checkpoint that moves past them, so a retried batch never records one twice. In `public`:
 * not a projection, so a rebuild's schema swap keeps them.
 */
export class ProjectorDeadLetters1737000030000 implements MigrationInterface {
  readonly name = 'ProjectorDeadLetters1737000030000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS projector_dead_letters (
        projection text NOT NULL,
        topic text NOT NULL,
        partition integer NOT NULL,
        record_offset bigint NOT NULL,
        record_key bytea,
        record_value bytea,
        value_bytes integer NOT NULL,
        reason text NOT NULL,
        field text,
        failed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (projection, topic, partition, record_offset)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE IF EXISTS projector_dead_letters`);
  }
}
