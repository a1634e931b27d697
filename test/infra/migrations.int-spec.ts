// A TypeORM migration against real Postgres, in a database of this spec file's own.
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { createSpecDatabase, SpecDatabase } from '@soc/testing';

class CreatePlumbingProbe1700000000000 implements MigrationInterface {
  readonly name = 'CreatePlumbingProbe1700000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'CREATE TABLE plumbing_probe (id uuid PRIMARY KEY, tenant_id text NOT NULL, observed_at timestamptz NOT NULL)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE plumbing_probe');
  }
}

const tableExists = async (dataSource: DataSource, table: string): Promise<boolean> => {
  const rows: unknown = await dataSource.query('SELECT to_regclass($1) IS NOT NULL AS present', [
    `public.${table}`,
  ]);
  return Array.isArray(rows) && (rows[0] as { present?: boolean } | undefined)?.present === true;
};

describe('TypeORM migrations on Postgres', () => {
  let database: SpecDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createSpecDatabase('migrations');
    dataSource = new DataSource({
      type: 'postgres',
      url: database.url,
      migrations: [CreatePlumbingProbe1700000000000],
      migrationsTableName: 'schema_migrations',
      logging: false,
    });
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('applies a migration to a fresh database, records it, and undoes it', async () => {
    expect(await tableExists(dataSource, 'plumbing_probe')).toBe(false);

    const applied = await dataSource.runMigrations({ transaction: 'each' });

    expect(applied.map((migration) => migration.name)).toEqual([
      'CreatePlumbingProbe1700000000000',
    ]);
    expect(await tableExists(dataSource, 'plumbing_probe')).toBe(true);
    expect(await dataSource.showMigrations()).toBe(false);

    await dataSource.undoLastMigration();
    expect(await tableExists(dataSource, 'plumbing_probe')).toBe(false);
  });
});
