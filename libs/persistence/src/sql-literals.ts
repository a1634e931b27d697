import { escapeLiteral } from 'pg';

/**
 * A value that neither a statement's text nor a COPY can carry (PostgreSQL text cannot hold
 * NUL, a number column no infinity): the write fails for what it writes, as when PostgreSQL
 * refuses a value (isPoisonWriteError).
 */
export class UnwritableValueError extends Error {}

/**
 * A statement parameter as a quoted literal, for statements sent in the simple protocol (which
 * has no parameters). Every literal is quoted and untyped, so PostgreSQL infers its type from
 * the context exactly as it does for a `$n` parameter (`LIMIT '51'`, `'{a,b}'::text[]`).
 * Escaping is pg's own `escapeLiteral` (quotes doubled, backslashes in an E'' string).
 */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  return escapeLiteral(literalText(value));
}

/** The text of a value as pg would send it as a parameter (also a COPY cell's, copy-text.ts). */
export function literalText(value: unknown): string {
  if (typeof value === 'string') return withoutNul(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new UnwritableValueError(`not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `{${value.map(arrayElement).join(',')}}`;
  if (Buffer.isBuffer(value))
    throw new UnwritableValueError('binary parameters have no literal form here');
  if (typeof value === 'object') return withoutNul(JSON.stringify(value));
  throw new UnwritableValueError(`no literal form for a ${typeof value} parameter`);
}

/** One element of an array literal: double-quoted, `"` and `\` escaped, NULL unquoted. */
function arrayElement(item: unknown): string {
  if (item === null || item === undefined) return 'NULL';
  if (Array.isArray(item)) return `{${item.map(arrayElement).join(',')}}`;
  return `"${literalText(item).replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** PostgreSQL text cannot hold NUL, and in a simple-protocol message it would end the statement. */
function withoutNul(text: string): string {
  if (text.includes('\u0000')) throw new UnwritableValueError('a parameter holds a NUL character');
  return text;
}

/**
 * Quoted strings and identifiers (skipped) or a `$n` placeholder. The project's statements
 * hold no dollar-quoted strings or comments, the only other places a `$n` could stand.
 */
const PLACEHOLDER = /'(?:[^']|'')*'|"(?:[^"]|"")*"|\$(\d+)/g;

/** The statement with each `$n` replaced by the literal of parameter n. */
export function inlineParameters(sql: string, parameters: readonly unknown[]): string {
  return sql.replace(PLACEHOLDER, (match, index: string | undefined) => {
    if (index === undefined) return match;
    const position = Number(index);
    if (position < 1 || position > parameters.length)
      throw new Error(`$${index} has no parameter (${parameters.length} given)`);
    return sqlLiteral(parameters[position - 1]);
  });
}
