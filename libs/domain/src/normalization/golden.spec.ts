import {
  goldenCases,
  GOLDEN_CONTEXT,
  orphanExpectedFiles,
  readExpected,
  updateGolden,
  writeExpected,
} from '../../test/normalization/golden-files';
import { detectFormat, normalizeRecord } from './normalize';

/**
 * Golden files built from each format's own public documentation and repository examples
 * (fixtures/SOURCES.md names every source). One expected result per input record.
 */
describe('golden files', () => {
  const cases = goldenCases();

  it('has fixtures for every format', () => {
    const formats = new Set(cases.map((c) => c.format));
    expect([...formats].sort()).toEqual(
      [
        'canonical',
        'cef',
        'elastic',
        'leef',
        'ms-graph',
        'ocsf',
        'simple-json',
        'splunk',
        'suricata',
        'wazuh',
        'aminer',
      ].sort(),
    );
  });

  it('has an input for every expected file', () => {
    expect(orphanExpectedFiles()).toEqual([]);
  });

  describe.each(cases.map((c) => [`${c.format}/${c.file}`, c] as const))('%s', (_name, golden) => {
    const detected = golden.records.map((record) => normalizeRecord(record, GOLDEN_CONTEXT));

    it('normalizes every record as the expected file says', () => {
      if (updateGolden()) writeExpected(golden, detected);
      const expected = readExpected(golden);
      expect(expected).toBeDefined();
      expect(detected).toEqual(expected);
    });

    it('detects the format of every record', () => {
      for (const record of golden.records) expect(detectFormat(record)).toBe(golden.format);
    });

    it('gives the same result when the door names the format', () => {
      const named = golden.records.map((record) =>
        normalizeRecord(record, { ...GOLDEN_CONTEXT, format: golden.format }),
      );
      expect(named).toEqual(detected);
    });
  });
});
