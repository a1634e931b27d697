import type { Queryable } from './data-source';
import { UnwritableValueError } from './sql-literals';

/** A record the projector could not apply, as its dead-letter row keeps it. */
export interface DeadLetter {
  readonly offset: bigint;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly reason: string;
  readonly field: string | null;
}

/** The value's head kept in the row: enough to inspect, bounded whatever the record's size. */
export const DEAD_LETTER_VALUE_BYTES = 64 * 1024;

/** Records dead letters in the caller's transaction; a retried batch finds them already there. */
export async function recordDeadLetters(
  db: Queryable,
  at: { readonly projection: string; readonly topic: string; readonly partition: number },
  letters: readonly DeadLetter[],
): Promise<void> {
  for (const letter of letters) {
    await db.query(
      `INSERT INTO projector_dead_letters
         (projection, topic, partition, record_offset, record_key, record_value, value_bytes, reason, field)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
      [
        at.projection,
        at.topic,
        at.partition,
        letter.offset.toString(),
        letter.key,
        letter.value?.subarray(0, DEAD_LETTER_VALUE_BYTES) ?? null,
        letter.value?.length ?? 0,
        letter.reason,
        letter.field,
      ],
    );
  }
}

/** PostgreSQL error classes a retry cannot change: data exceptions, constraints, size limits. */
const POISON_CLASSES = ['22', '23', '54'];

/**
 * True when a write failed because of what it wrote (a value PostgreSQL refuses or that no
 * statement or COPY can carry, a broken constraint, a row over a size limit); every other failure (connection, timeout, lock,
 * shutdown, and bugs such as a missing table) is retried, never dead-lettered.
 */
export function isPoisonWriteError(error: unknown): boolean {
  if (error instanceof UnwritableValueError) return true;
  const code = sqlStateOf(error);
  return code !== undefined && POISON_CLASSES.includes(code.slice(0, 2));
}

function sqlStateOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const own = (error as { code?: unknown }).code;
  if (typeof own === 'string' && /^[0-9A-Z]{5}$/.test(own)) return own;
  return sqlStateOf((error as { driverError?: unknown }).driverError);
}
