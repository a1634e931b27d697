import { CopyTextWriter, type CopyColumn } from './copy-text';

const copyText = (cols: readonly CopyColumn[], rows: readonly Record<string, unknown>[]): string =>
  new CopyTextWriter(cols).text(rows);

const columns = [
  { column: 'id', pg: 'text' },
  { column: 'n', pg: 'integer' },
  { column: 'tags', pg: 'text[]' },
  { column: 'doc', pg: 'jsonb' },
] as const;

describe('copy text', () => {
  it('writes one tab-separated line per row, NULL as \\N', () => {
    expect(
      copyText(columns, [
        { id: 'a', n: 1, tags: ['x', 'y'], doc: { k: 1 } },
        { id: 'b', n: null, tags: [], doc: null },
      ]),
    ).toBe('a\t1\t{"x","y"}\t{"k":1}\nb\t\\N\t{}\t\\N\n');
  });

  it('escapes backslashes, tabs and line breaks, so a value cannot end its cell or row', () => {
    expect(copyText([columns[0]], [{ id: 'a\tb\nc\rd\\e' }])).toBe('a\\tb\\nc\\rd\\\\e\n');
  });

  it('writes a jsonb cell as JSON, a string quoted, and escapes the escapes of its JSON', () => {
    expect(copyText([columns[3]], [{ doc: 'plain' }, { doc: { q: 'say "hi"\n' } }])).toBe(
      '"plain"\n{"q":"say \\\\"hi\\\\"\\\\n"}\n',
    );
  });

  it('refuses what PostgreSQL text cannot hold', () => {
    expect(() => copyText([columns[0]], [{ id: 'a\u0000b' }])).toThrow('NUL');
    expect(() => copyText([columns[1]], [{ n: Number.POSITIVE_INFINITY }])).toThrow('finite');
  });
});
