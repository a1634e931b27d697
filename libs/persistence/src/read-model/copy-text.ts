import { literalText, UnwritableValueError } from '../sql-literals';
import type { PgType } from './columns';

/** A staged column: its name and the type its cells are written as. */
export interface CopyColumn {
  readonly column: string;
  readonly pg: PgType;
}

/** Characters COPY's text format gives a meaning to: escaped with a backslash. */
const SPECIAL = /[\\\n\r\t]/;
const SPECIALS = /[\\\n\r\t]/g;
const ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};
const escapeSpecial = (c: string): string => ESCAPES[c] as string;

/** Text as a cell: PostgreSQL text cannot hold NUL, COPY's specials escaped. */
function textCell(text: string): string {
  if (text.includes('\u0000')) throw new UnwritableValueError('a value holds a NUL character');
  return SPECIAL.test(text) ? text.replace(SPECIALS, escapeSpecial) : text;
}

/**
 * JSON as a cell. JSON.stringify writes line breaks and tabs inside strings as escapes, so a
 * backslash is the only special it can emit; a NUL comes out as `\u0000`, which jsonb refuses.
 */
const jsonCell = (value: unknown): string => {
  const json = JSON.stringify(value);
  return json.includes('\\') ? json.replace(/\\/g, '\\\\') : json;
};

/** One column's cell writer, chosen once by its type. */
function cellWriter(pg: PgType): (value: unknown) => string {
  switch (pg) {
    case 'jsonb':
      // A jsonb cell is the value's JSON whatever its JavaScript type (a string stays quoted).
      return jsonCell;
    case 'text':
    case 'timestamptz':
      return (value) => textCell(typeof value === 'string' ? value : literalText(value));
    default:
      // Numbers, booleans, arrays: the text pg sends for them as parameters.
      return (value) => textCell(literalText(value));
  }
}

/**
 * Writes rows (toRow's objects) as the lines of `COPY ... FROM STDIN` in text format, NULL as
 * `\N`: the values the json_to_recordset statements wrote, as COPY reads them.
 */
export class CopyTextWriter {
  private readonly names: readonly string[];
  private readonly writers: readonly ((value: unknown) => string)[];

  constructor(columns: readonly CopyColumn[]) {
    this.names = columns.map((c) => c.column);
    this.writers = columns.map((c) => cellWriter(c.pg));
  }

  text(rows: readonly Readonly<Record<string, unknown>>[]): string {
    const { names, writers } = this;
    let text = '';
    for (const row of rows) {
      for (let i = 0; i < names.length; i += 1) {
        const value = row[names[i] as string];
        const cell =
          value === null || value === undefined
            ? '\\N'
            : (writers[i] as (value: unknown) => string)(value);
        text += i === 0 ? cell : `\t${cell}`;
      }
      text += '\n';
    }
    return text;
  }
}
