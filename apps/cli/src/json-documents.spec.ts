import { recordsOf, splitJsonValues } from './json-documents';

describe('splitJsonValues', () => {
  it('splits documents written one after another and gives each its first line', () => {
    const text = '{\n  "a": "}{"\n}\n\n[1,\n 2]\n{"b": "\\"}"}';
    expect(splitJsonValues(text, 3)).toEqual([
      { line: 3, value: { a: '}{' } },
      { line: 7, value: [1, 2] },
      { line: 9, value: { b: '"}' } },
    ]);
  });

  it('stops at an unterminated document, and at a bare value', () => {
    expect(splitJsonValues('{"a": 1}\n{"b": ', 1)).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 2, error: 'an unterminated JSON document' },
    ]);
    expect(splitJsonValues('42', 1)).toEqual([{ line: 1, error: 'not a JSON object or array' }]);
  });

  it('reports invalid JSON inside balanced brackets', () => {
    expect(splitJsonValues('{"a": 1,}', 1)).toEqual([
      { line: 1, error: expect.stringContaining('invalid JSON') },
    ]);
  });
});

describe('recordsOf', () => {
  it('lists an array, a Graph envelope, an Elasticsearch response and Splunk results', () => {
    expect(recordsOf([1, 2])).toEqual({ records: [1, 2], listed: true });
    expect(recordsOf({ '@odata.nextLink': 'x', value: [{ id: 'a' }] })).toEqual({
      records: [{ id: 'a' }],
      listed: true,
    });
    expect(recordsOf({ took: 1, hits: { total: 1, hits: [{ _id: 'h' }] } })).toEqual({
      records: [{ _id: 'h' }],
      listed: true,
    });
    expect(recordsOf({ preview: false, results: [{ _time: 't' }] })).toEqual({
      records: [{ _time: 't' }],
      listed: true,
    });
  });

  it('keeps an alert that merely has a value or results field as one record', () => {
    const alert = { id: 'a', value: [1], severity: 'high' };
    expect(recordsOf(alert)).toEqual({ records: [alert], listed: false });
    const row = { results: [1], search_name: 's' };
    expect(recordsOf(row)).toEqual({ records: [row], listed: false });
  });
});
