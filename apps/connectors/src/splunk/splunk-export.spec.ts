import { SourceError } from '../http-client';
import { parseExport } from './splunk-source';

const line = (object: unknown) => JSON.stringify(object);
const T = Date.parse('2024-06-05T09:15:24.000Z');

describe('Splunk export answer', () => {
  it('keeps final rows inside the window, with their event id and time', () => {
    const text = [
      line({
        preview: true,
        offset: 0,
        result: { _time: '2024-06-05T09:15:24.000+00:00', event_id: 'p' },
      }),
      line({
        preview: false,
        offset: 0,
        result: { _time: '2024-06-05T09:15:24.000+00:00', event_id: 'a' },
      }),
      line({
        preview: false,
        offset: 1,
        result: { _time: String(T / 1000 + 3600), event_id: 'late' },
      }),
      '',
      line({
        preview: false,
        offset: 2,
        lastrow: true,
        result: { _time: T / 1000 + 1, event_id: 'b' },
      }),
    ].join('\n');
    expect(parseExport(text, T, T + 60_000).map(({ id, at }) => [id, at])).toEqual([
      ['a', T],
      ['b', T + 1000],
    ]);
  });

  it('identifies a row without event_id by the hash of the row', () => {
    const [row] = parseExport(
      line({ preview: false, result: { _time: T / 1000, src: 'x' } }),
      T,
      T + 1,
    );
    expect(row?.id).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('fails the poll on a FATAL or ERROR message and on a line that is not JSON', () => {
    const fatal = line({ messages: [{ type: 'FATAL', text: 'Error in search: unknown command' }] });
    expect(() => parseExport(fatal, 0, T)).toThrow(SourceError);
    expect(() => parseExport('<html>', 0, T)).toThrow('not JSON');
    expect(parseExport(line({ messages: [{ type: 'INFO', text: 'ok' }] }), 0, T)).toEqual([]);
  });
});
