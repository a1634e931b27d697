import type { MigrationInterface, QueryRunner } from 'typeorm';
import { READ_MODEL_SCHEMA } from '../schema';

/**
 * An alert whose stamped time was too far ahead of its arrival is correlated at its arrival
 * time; the read model keeps the stamped time beside it (null for every other alert).
 * Databases created after this column joined readModelDdl already have it, hence IF NOT EXISTS.
 */
export class OriginalObservedAt1737000014000 implements MigrationInterface {
  readonly name = 'OriginalObservedAt1737000014000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE ${READ_MODEL_SCHEMA}.incident_alerts ADD COLUMN IF NOT EXISTS original_observed_at timestamptz`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE ${READ_MODEL_SCHEMA}.incident_alerts DROP COLUMN IF EXISTS original_observed_at`,
    );
  }
}
