import { goldenCases, GOLDEN_CONTEXT } from '../../test/normalization/golden-files';
import { MAX_RECORD_BYTES, normalizeParsedLine, normalizeRecord } from './normalize';
import type { NormalizeContext } from './types';

const parsedOrUndefined = (line: string): unknown => {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
};

/** Every line that parses as JSON gets the result normalizeRecord gives the same text. */
function expectSameAsNormalizeRecord(line: string, context: NormalizeContext): void {
  const parsed = parsedOrUndefined(line);
  if (parsed === undefined) return;
  expect(normalizeParsedLine({ line, parsed, context })).toEqual(normalizeRecord(line, context));
}

describe('normalizeParsedLine', () => {
  // Text lines as they are, and the JSON documents as the NDJSON lines they would be.
  const lines = goldenCases()
    .flatMap((c) => c.records)
    .map((record) => (typeof record === 'string' ? record : JSON.stringify(record)));

  it('covers JSON lines of the golden files', () => {
    expect(lines.filter((line) => parsedOrUndefined(line) !== undefined).length).toBeGreaterThan(
      30,
    );
  });

  it('gives normalizeRecord’s result for every golden line, with and without a named format', () => {
    for (const line of lines) {
      expectSameAsNormalizeRecord(line, GOLDEN_CONTEXT);
      expectSameAsNormalizeRecord(line, { ...GOLDEN_CONTEXT, format: 'wazuh' });
      expectSameAsNormalizeRecord(line, { ...GOLDEN_CONTEXT, format: 'cef' });
    }
  });

  it('gives the same rejection for JSON that is not an alert, a bad context or a record too large', () => {
    const hostile = [
      '42',
      '"CEF:0|a|b|1|x|y|5|"',
      '[1, 2]',
      'null',
      JSON.stringify({ rule: { id: 'x' }, pad: 'a'.repeat(MAX_RECORD_BYTES) }),
    ];
    for (const line of hostile) expectSameAsNormalizeRecord(line, GOLDEN_CONTEXT);
    const wazuhLine = lines.find((line) => line.includes('"agent"')) as string;
    expectSameAsNormalizeRecord(wazuhLine, { ...GOLDEN_CONTEXT, tenantId: ' ' });
    expectSameAsNormalizeRecord(wazuhLine, { ...GOLDEN_CONTEXT, ingestedAt: -1 });
    expectSameAsNormalizeRecord(wazuhLine, {
      ...GOLDEN_CONTEXT,
      format: 'nonsense' as NormalizeContext['format'],
    });
  });
});
