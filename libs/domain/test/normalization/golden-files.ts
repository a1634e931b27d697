// Test support only (imported by *.spec.ts, never by the normalizers): reads the golden files.
// eslint-disable-next-line no-restricted-imports -- the test harness reads fixture files; the normalizers themselves stay pure
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlertFormat } from '@soc/contracts';
import type { NormalizeContext, NormalizeResult } from '../../src/normalization/types';

/**
 * Golden files: `fixtures/<format>/<name>.<ext>` is an input, `<name>.<ext>.expected.json` the
 * array of results, one per record. Inputs: `.json` is one JSON document parsed to an object
 * (or an array of them), as an HTTP JSON body is; `.jsonl`, `.log` and other text files hold
 * one record per line, passed as text, as a syslog line or an NDJSON line is.
 * `UPDATE_GOLDEN=1` rewrites the expected files; review the diff before committing it.
 */
export const FIXTURES_DIR = join(__dirname, '..', '..', 'src', 'normalization', 'fixtures');

export const GOLDEN_CONTEXT: NormalizeContext = {
  tenantId: 'tenant-golden',
  ingestedAt: Date.UTC(2026, 0, 1),
};

export interface GoldenCase {
  readonly format: AlertFormat;
  readonly file: string;
  readonly records: readonly unknown[];
  readonly expectedPath: string;
}

export function goldenCases(): GoldenCase[] {
  const cases: GoldenCase[] = [];
  for (const format of readdirSync(FIXTURES_DIR, { withFileTypes: true })) {
    if (!format.isDirectory()) continue;
    const dir = join(FIXTURES_DIR, format.name);
    for (const file of readdirSync(dir).sort()) {
      if (file.endsWith('.expected.json') || file.endsWith('.md')) continue;
      const path = join(dir, file);
      const text = readFileSync(path, 'utf8');
      let records: unknown[];
      if (file.endsWith('.json')) {
        const parsed = JSON.parse(text) as unknown;
        records = Array.isArray(parsed) ? parsed : [parsed];
      } else {
        records = text.split('\n').filter((line) => line.trim().length > 0);
      }
      cases.push({
        format: format.name as AlertFormat,
        file,
        records,
        expectedPath: `${path}.expected.json`,
      });
    }
  }
  return cases;
}

/** Expected files whose input is gone (renamed, or ignored by git): each is a test that no longer runs. */
export function orphanExpectedFiles(): string[] {
  const orphans: string[] = [];
  for (const format of readdirSync(FIXTURES_DIR, { withFileTypes: true })) {
    if (!format.isDirectory()) continue;
    const dir = join(FIXTURES_DIR, format.name);
    for (const file of readdirSync(dir)) {
      if (
        file.endsWith('.expected.json') &&
        !existsSync(join(dir, file.slice(0, -'.expected.json'.length)))
      )
        orphans.push(`${format.name}/${file}`);
    }
  }
  return orphans;
}

export function readExpected(golden: GoldenCase): NormalizeResult[] | undefined {
  if (!existsSync(golden.expectedPath)) return undefined;
  return JSON.parse(readFileSync(golden.expectedPath, 'utf8')) as NormalizeResult[];
}

export function writeExpected(golden: GoldenCase, results: readonly NormalizeResult[]): void {
  writeFileSync(golden.expectedPath, `${JSON.stringify(results, null, 2)}\n`);
}

export const updateGolden = (): boolean => process.env['UPDATE_GOLDEN'] === '1';

export function readRepoFile(...segments: readonly string[]): string {
  return readFileSync(join(__dirname, '..', '..', '..', '..', ...segments), 'utf8');
}
