import { parseCsv, parseCsvRows } from './csv';

describe('CSV parsing', () => {
  it('reads quoted fields with commas, escaped quotes and line breaks, CRLF or LF', () => {
    expect(parseCsvRows('a,b,c\r\n"x, y","say ""hi""","two\nlines"\n1,2,3')).toEqual([
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'two\nlines'],
      ['1', '2', '3'],
    ]);
  });

  it('maps rows to the header, case-insensitively, ignoring a byte-order mark and blank lines', () => {
    const result = parseCsv('\ufeffEntity_Type,Value,Criticality\nhost,ws-01,4\n\n', [
      'entity_type',
      'value',
      'criticality',
    ]);
    expect(result).toEqual({
      records: [{ entity_type: 'host', value: 'ws-01', criticality: '4' }],
      problems: [],
    });
  });

  it('names the missing columns and the rows with the wrong field count', () => {
    expect(parseCsv('type,value\nhost,a', ['entity_type', 'value']).problems).toEqual([
      { path: 'csv.header', reason: 'missing column(s) entity_type' },
    ]);
    expect(parseCsv('entity_type,value\nhost,a,extra', ['entity_type', 'value']).problems).toEqual([
      { path: 'csv[2]', reason: 'expected 2 fields, found 3' },
    ]);
  });

  it('reports an unterminated quote instead of guessing', () => {
    expect(parseCsv('entity_type,value\nhost,"open', ['entity_type']).problems).toEqual([
      { path: 'csv', reason: 'unterminated quoted field' },
    ]);
  });
});
