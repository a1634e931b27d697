import { parseIngestBody } from './ingest-body';

const body = (text: string) => Buffer.from(text, 'utf8');

describe('parseIngestBody', () => {
  it('reads one JSON object as a single alert', () => {
    const parsed = parseIngestBody('application/json; charset=utf-8', body('{"id":"a1"}'), 10);
    expect(parsed).toEqual({
      kind: 'items',
      batch: false,
      items: [{ index: 0, record: { id: 'a1' } }],
    });
  });

  it('reads a JSON array as a batch', () => {
    const parsed = parseIngestBody('application/json', body('[{"id":"a1"},{"id":"a2"}]'), 10);
    expect(parsed.kind === 'items' && parsed.items.length).toBe(2);
  });

  it('reports each unparsable NDJSON line by its index and keeps the others', () => {
    const parsed = parseIngestBody(
      'application/x-ndjson',
      body('{"id":"a1"}\n{oops\n{"id":"a3"}\n'),
      10,
    );
    expect(parsed.kind).toBe('items');
    if (parsed.kind !== 'items') return;
    expect(parsed.items[0]).toEqual({ index: 0, record: { id: 'a1' } });
    expect(parsed.items[1]).toMatchObject({ index: 1, invalid: { field: '[1]' } });
    expect(parsed.items[2]).toEqual({ index: 2, record: { id: 'a3' } });
  });

  it('passes text lines through for CEF and LEEF', () => {
    const parsed = parseIngestBody(
      'text/plain',
      body('CEF:0|a|b|1|2|n|5|src=1.2.3.4\r\nLEEF:1.0|a|b|1|e|src=1.2.3.4\n'),
      10,
    );
    expect(parsed.kind === 'items' && parsed.items.map((i) => 'record' in i && i.record)).toEqual([
      'CEF:0|a|b|1|2|n|5|src=1.2.3.4',
      'LEEF:1.0|a|b|1|e|src=1.2.3.4',
    ]);
  });

  it('refuses other content types', () => {
    expect(parseIngestBody('application/xml', body('<a/>'), 10)).toMatchObject({
      kind: 'unsupported-media-type',
    });
    expect(parseIngestBody(undefined, body('{}'), 10)).toMatchObject({
      kind: 'unsupported-media-type',
    });
  });

  it('refuses batches over the item limit', () => {
    expect(parseIngestBody('application/json', body('[1,2,3]'), 2)).toMatchObject({
      kind: 'too-many-items',
    });
  });

  it('names the body when the JSON is broken or not an alert', () => {
    expect(parseIngestBody('application/json', body('{"id":'), 10)).toMatchObject({
      kind: 'invalid',
      field: 'body',
    });
    expect(parseIngestBody('application/json', body('42'), 10)).toMatchObject({
      kind: 'invalid',
      field: 'body',
    });
    expect(parseIngestBody('application/json', body('[]'), 10)).toMatchObject({
      kind: 'invalid',
      field: 'body',
    });
  });
});
