// Test support only (imported by *.spec.ts, never by the parsers): reads the feed fixtures.
// eslint-disable-next-line no-restricted-imports -- the test harness reads fixture files; the parsers themselves stay pure
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const FIXTURES_DIR = join(__dirname, '..', '..', 'src', 'intel', 'fixtures');

export const fixtureText = (path: string): string => readFileSync(join(FIXTURES_DIR, path), 'utf8');
export const fixtureJson = (path: string): unknown => JSON.parse(fixtureText(path)) as unknown;
