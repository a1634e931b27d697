import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { EntityManager } from 'typeorm';
import { assertIdentifier } from '../schema';
import { columnNames, recordsetDefinition } from './columns';
import { CopyTextWriter, type CopyColumn } from './copy-text';

/** A table whose rows are staged: its name and the columns a batch writes. */
export interface StagedTable {
  readonly table: string;
  readonly columns: readonly CopyColumn[];
}

/** The staging table of a read-model table, in the session's own temporary schema. */
export const stagingTable = (spec: StagedTable): string =>
  `pg_temp.${assertIdentifier(`staged_${spec.table}`)}`;

/**
 * Creates the staging tables on the transaction's connection unless it has them: temporary,
 * so each session has its own and no other transaction sees its rows, and emptied at every
 * commit (a rollback takes its rows, and a table it created, with it). They have the columns
 * the batch writes (the live and the shadow schema's tables are alike) and no index, so a COPY
 * into them costs little more than parsing its text.
 */
export const createStagingTablesSql = (specs: readonly StagedTable[]): string =>
  specs
    .map(
      (spec) =>
        `CREATE TEMPORARY TABLE IF NOT EXISTS ${stagingTable(spec)} (${recordsetDefinition(spec)}) ON COMMIT DELETE ROWS`,
    )
    .join(';\n');

/**
 * A CTE body that takes the staged rows out of the staging table as it reads them, so a
 * second write in the same transaction never moves them again (the commit also empties the
 * table, and truncating takes the dead rows a DELETE leaves).
 */
export const takeStagedSql = (spec: StagedTable): string =>
  `DELETE FROM ${stagingTable(spec)} RETURNING ${columnNames(spec).join(', ')}`;

/** The pg connection of a transaction's entity manager, which a COPY needs. */
async function connectionOf(db: EntityManager): Promise<PoolClient> {
  const runner = db.queryRunner;
  if (runner === undefined || !runner.isTransactionActive)
    throw new Error('staging rows needs the entity manager of an open transaction');
  return (await runner.connect()) as PoolClient;
}

/**
 * COPYs the rows (toRow's objects) into the table's staging table, `chunkRows` rows of text at
 * a time, so no string holds more than a chunk of the batch.
 */
export async function stageRows(
  db: EntityManager,
  {
    spec,
    rows,
    chunkRows,
  }: {
    readonly spec: StagedTable;
    readonly rows: readonly Readonly<Record<string, unknown>>[];
    readonly chunkRows: number;
  },
): Promise<void> {
  if (rows.length === 0) return;
  const client = await connectionOf(db);
  const copy = client.query(
    copyFrom(`COPY ${stagingTable(spec)} (${columnNames(spec).join(', ')}) FROM STDIN`),
  );
  const writer = new CopyTextWriter(spec.columns);
  function* chunks(): Generator<string> {
    for (let i = 0; i < rows.length; i += chunkRows)
      yield writer.text(rows.slice(i, i + chunkRows));
  }
  await pipeline(Readable.from(chunks()), copy);
}
