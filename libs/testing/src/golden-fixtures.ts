// Test support: the normalizers' golden fixture inputs (libs/domain/src/normalization/fixtures),
// read the way their golden spec reads them, so the ingest doors are driven with the same
// public examples the normalizers were reviewed against.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALERT_FORMATS, type AlertFormat } from '@soc/contracts';

const FIXTURES_DIR = join(__dirname, '..', '..', 'domain', 'src', 'normalization', 'fixtures');

export interface GoldenInput {
  readonly format: AlertFormat;
  readonly file: string;
  /** `.json`: one document (an object or an array of them); else one record a line. */
  readonly kind: 'json-document' | 'json-lines' | 'text-lines';
  /** Parsed objects for a JSON document, the lines as text otherwise. */
  readonly records: readonly unknown[];
  /** How many records the reviewed expected file says normalize to an alert. */
  readonly expectedAlerts: number;
}

export function goldenInputs(): GoldenInput[] {
  const inputs: GoldenInput[] = [];
  for (const format of ALERT_FORMATS) {
    const dir = join(FIXTURES_DIR, format);
    for (const file of readdirSync(dir).sort()) {
      if (file.endsWith('.expected.json')) continue;
      const text = readFileSync(join(dir, file), 'utf8');
      const expected = JSON.parse(
        readFileSync(join(dir, `${file}.expected.json`), 'utf8'),
      ) as readonly { ok: boolean }[];
      const expectedAlerts = expected.filter((result) => result.ok).length;
      if (file.endsWith('.json')) {
        const parsed = JSON.parse(text) as unknown;
        inputs.push({
          format,
          file,
          kind: 'json-document',
          records: Array.isArray(parsed) ? parsed : [parsed],
          expectedAlerts,
        });
      } else {
        const lines = text.split('\n').filter((line) => line.trim().length > 0);
        inputs.push({
          format,
          file,
          kind: file.endsWith('.jsonl') ? 'json-lines' : 'text-lines',
          records: lines,
          expectedAlerts,
        });
      }
    }
  }
  return inputs;
}
