/**
 * A table described once: each column's name, Postgres type and the field of the domain type
 * it holds, with the codec between the two. The store's column lists, json_to_recordset
 * definitions and row mapping derive from it, and a test holds the migration's DDL to it.
 */
export type PgType =
  | 'text'
  | 'text[]'
  | 'boolean'
  | 'integer'
  | 'bigint'
  | 'double precision'
  | 'jsonb'
  | 'timestamptz';

/** Between a field's value and its cell: JSON for json_to_recordset, what pg returns back. */
export interface Codec<Value, Cell> {
  readonly toRow: (value: Value) => unknown;
  readonly fromRow: (cell: Cell) => Value;
}

/** Values pg returns as they were written: text, numbers, booleans, arrays, JSON. */
export interface SameCodec extends Codec<unknown, unknown> {
  readonly same: true;
}
export const same: SameCodec = { toRow: (value) => value, fromRow: (cell) => cell, same: true };

/** Epoch milliseconds as timestamptz (pg hands back a Date). */
export const epochMs: Codec<number, Date> = {
  toRow: (ms) => new Date(ms).toISOString(),
  fromRow: (date) => date.getTime(),
};

/** bigint as text both ways: JSON has no 64-bit integers and pg returns int8 as a string. */
export const bigintText: Codec<bigint, string> = {
  toRow: (value) => value.toString(),
  fromRow: (text) => BigInt(text),
};

/**
 * One column holding field `key` of `V`. `nullable` must say what the field's type says, so a
 * nullable field cannot be declared NOT NULL (or the other way round) by mistake.
 */
export type FieldColumn<V> = {
  [K in keyof V & string]: {
    readonly column: string;
    readonly pg: PgType;
    readonly key: K;
    readonly codec: SameCodec | Codec<NonNullable<V[K]>, never>;
    readonly nullable: null extends V[K] ? true : false;
  };
}[keyof V & string];

/** A column written from the whole value and never read back (search text). */
export interface DerivedColumn<V> {
  readonly column: string;
  readonly pg: PgType;
  readonly derive: (value: V) => unknown;
  readonly nullable: false;
}

export type ColumnSpec<V> = FieldColumn<V> | DerivedColumn<V>;

export interface TableSpec<V, Columns extends readonly ColumnSpec<V>[] = readonly ColumnSpec<V>[]> {
  readonly table: string;
  readonly columns: Columns;
  readonly primaryKey: readonly string[];
  /** Columns Postgres computes itself (GENERATED ALWAYS): in the DDL, never written. */
  readonly generated?: readonly { readonly column: string; readonly pg: string }[];
}

type FieldsOf<Columns extends readonly unknown[]> = Columns[number] extends infer C
  ? C extends { readonly key: infer K }
    ? K
    : never
  : never;

/**
 * Builds a table spec typed against `V`, keeping the column literals for `RowOf`. A field of
 * `V` that no column holds is a compile error naming it (`unmapped`).
 */
export const tableOf =
  <V>() =>
  <const Columns extends readonly ColumnSpec<V>[]>(
    spec: TableSpec<V, Columns> &
      ([Exclude<keyof V, FieldsOf<Columns>>] extends [never]
        ? unknown
        : { readonly unmapped: Exclude<keyof V, FieldsOf<Columns>> }),
  ): TableSpec<V, Columns> =>
    spec;

type CellOf<V, C> = C extends { readonly codec: SameCodec; readonly key: infer K extends keyof V }
  ? V[K]
  : C extends {
        readonly codec: { readonly fromRow: (cell: infer Cell) => unknown };
        readonly nullable: infer Nullable;
      }
    ? Nullable extends true
      ? Cell | null
      : Cell
    : never;

/** A row as pg returns it: column name to cell type, for the columns that hold a field. */
export type RowOf<T> =
  T extends TableSpec<infer V, infer Columns>
    ? {
        -readonly [
          C in Columns[number] as C extends {
            readonly key: string;
            readonly column: infer Name extends string;
          }
            ? Name
            : never
        ]: CellOf<V, C>;
      }
    : never;

const isField = <V>(column: ColumnSpec<V>): column is FieldColumn<V> => 'key' in column;

/** What the SQL helpers read of a spec, whatever its value type. */
interface Columns {
  readonly columns: readonly { readonly column: string; readonly pg: PgType }[];
}

/** The columns written, in table order (generated ones excluded). */
export const columnNames = (spec: Columns): string[] => spec.columns.map((c) => c.column);

/** `name type, ...` for `json_to_recordset($1::json) AS r(...)`. */
export const recordsetDefinition = (spec: Columns): string =>
  spec.columns.map((c) => `${c.column} ${c.pg}`).join(', ');

/** The JSON object json_to_recordset turns into one row. */
export function toRow<V>(spec: TableSpec<V>, value: V): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const column of spec.columns) {
    if (isField(column)) {
      const field = value[column.key];
      row[column.column] =
        field === null ? null : column.codec.toRow(field as NonNullable<V[keyof V & string]>);
    } else {
      row[column.column] = column.derive(value);
    }
  }
  return row;
}

/** The value a row read back holds; the spec must name every field of `V`. */
export function fromRow<V>(spec: TableSpec<V>, row: Readonly<Record<string, unknown>>): V {
  const value: Record<string, unknown> = {};
  for (const column of spec.columns) {
    if (!isField(column)) continue;
    const cell = row[column.column];
    value[column.key] =
      cell === null || cell === undefined
        ? null
        : (column.codec.fromRow as (cell: unknown) => unknown)(cell);
  }
  return value as V;
}
