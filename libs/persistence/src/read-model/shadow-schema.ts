import type { DataSource } from 'typeorm';
import { selectRows, type Queryable } from '../data-source';
import { READ_MODEL_SCHEMA, assertIdentifier, readModelDdl } from '../schema';
import { columnNames } from './columns';
import { PROJECTION_CHECKPOINTS, READ_MODEL_TABLES } from './tables';

export const SHADOW_SCHEMA = `${READ_MODEL_SCHEMA}_rebuild`;
const RETIRED_SCHEMA = `${READ_MODEL_SCHEMA}_retired`;

/** Creates an empty copy of the read model (tables, indexes, policies, grants) in `schema`. */
export async function createShadowSchema(
  dataSource: DataSource,
  schema: string = SHADOW_SCHEMA,
): Promise<void> {
  const name = assertIdentifier(schema);
  if (name === READ_MODEL_SCHEMA) throw new Error('refusing to recreate the live read model');
  await dataSource.transaction(async (manager) => {
    await manager.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    for (const statement of readModelDdl(name)) await manager.query(statement);
  });
}

export async function dropShadowSchema(
  dataSource: DataSource,
  schema: string = SHADOW_SCHEMA,
): Promise<void> {
  await dataSource.query(`DROP SCHEMA IF EXISTS ${assertIdentifier(schema)} CASCADE`);
}

/**
 * Makes the shadow the live read model in one transaction. The exclusive lock on the live
 * checkpoints waits for the batch a running projector has in flight and holds off the next;
 * afterwards the projector finds checkpoints it did not write and seeks back to them, so the
 * events it applied to the retired tables are applied again to the new ones.
 */
export async function swapInShadowSchema(
  dataSource: DataSource,
  schema: string = SHADOW_SCHEMA,
): Promise<void> {
  const name = assertIdentifier(schema);
  await dataSource.transaction(async (manager) => {
    await manager.query(
      `LOCK TABLE ${READ_MODEL_SCHEMA}.projection_checkpoints IN ACCESS EXCLUSIVE MODE`,
    );
    await manager.query(`ALTER SCHEMA ${READ_MODEL_SCHEMA} RENAME TO ${RETIRED_SCHEMA}`);
    await manager.query(`ALTER SCHEMA ${name} RENAME TO ${READ_MODEL_SCHEMA}`);
    await manager.query(`DROP SCHEMA ${RETIRED_SCHEMA} CASCADE`);
  });
}

/**
 * Each table with the order that makes its rows comparable (its primary key) and the columns
 * compared: the checkpoints' wall-clock column says when, not what, so it is left out.
 */
const SNAPSHOT_TABLES = READ_MODEL_TABLES.map((spec) => ({
  table: spec.table,
  order: spec.primaryKey.join(', '),
  columns:
    spec === PROJECTION_CHECKPOINTS
      ? columnNames(spec)
          .filter((column) => column !== 'updated_at')
          .join(', ')
      : '*',
}));

/**
 * Every row of the read model in a canonical order, as JSON text per table: two snapshots are
 * equal exactly when the tables hold the same data. Runs as the caller (the projector's role),
 * so it sees every tenant.
 */
export async function snapshotReadModel(
  db: Queryable,
  schema: string = READ_MODEL_SCHEMA,
): Promise<Record<string, string[]>> {
  const name = assertIdentifier(schema);
  const snapshot: Record<string, string[]> = {};
  for (const { table, order, columns } of SNAPSHOT_TABLES) {
    const rows = await selectRows<{ row: string }>(
      db,
      `SELECT to_jsonb(t)::text AS row FROM (SELECT ${columns} FROM ${name}.${table} ORDER BY ${order}) t`,
    );
    snapshot[table] = rows.map((r) => r.row);
  }
  return snapshot;
}
