import { inlineParameters, sqlLiteral } from './sql-literals';

describe('sql literals', () => {
  it('quotes every value untyped, the way pg sends it as a parameter', () => {
    expect(sqlLiteral('acme')).toBe("'acme'");
    expect(sqlLiteral(51)).toBe("'51'");
    expect(sqlLiteral(true)).toBe("'true'");
    expect(sqlLiteral(null)).toBe('NULL');
    expect(sqlLiteral(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)))).toBe(
      "'2026-01-02T03:04:05.006Z'",
    );
    expect(sqlLiteral({ a: 1 })).toBe('\'{"a":1}\'');
  });

  it('doubles quotes and escapes backslashes, so a value cannot end its literal', () => {
    expect(sqlLiteral("x'; DROP TABLE t; --")).toBe("'x''; DROP TABLE t; --'");
    expect(sqlLiteral('a\\b')).toBe(" E'a\\\\b'");
  });

  it('writes arrays as array literals with each element quoted', () => {
    expect(sqlLiteral(['a', 'b"c', 'd\\e', null])).toBe(` E'{"a","b\\\\"c","d\\\\\\\\e",NULL}'`);
    expect(sqlLiteral([])).toBe("'{}'");
  });

  it('refuses values it cannot write safely', () => {
    expect(() => sqlLiteral('a\u0000b')).toThrow('NUL');
    expect(() => sqlLiteral(Number.NaN)).toThrow('finite');
    expect(() => sqlLiteral(Buffer.from('x'))).toThrow('binary');
  });

  it('replaces $n placeholders, never a $n inside a quoted string or identifier', () => {
    expect(
      inlineParameters(
        `SELECT '$1' AS "$2", x FROM t WHERE a = $1 AND b = ANY($2::text[]) LIMIT $10`,
        ["it's", ['p', 'q'], 0, 0, 0, 0, 0, 0, 0, 11],
      ),
    ).toBe(
      `SELECT '$1' AS "$2", x FROM t WHERE a = 'it''s' AND b = ANY('{"p","q"}'::text[]) LIMIT '11'`,
    );
  });

  it('fails on a placeholder without a parameter', () => {
    expect(() => inlineParameters('SELECT $2', ['a'])).toThrow('$2 has no parameter (1 given)');
  });
});
