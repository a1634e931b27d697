/**
 * Throughput of the normalizers, per format, on the golden fixtures (accepted records only).
 * `npx ts-node --transpile-only -r tsconfig-paths/register bench/normalize.ts [seconds per format]`
 * or `node -r ./tools/register.cjs bench/normalize.ts`. One core, no I/O in the loop; prints one
 * JSON line per format: records per second for text input (the raw-topic/syslog path, JSON
 * parse included) and for parsed objects (the HTTP JSON body path, JSON.stringify of the
 * original included).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlertFormat } from '@soc/contracts';
import { normalizeRecord, type NormalizeContext } from '@soc/domain';

const SECONDS = Number(process.argv[2] ?? '1');
const CONTEXT: NormalizeContext = { tenantId: 'bench', ingestedAt: Date.UTC(2026, 0, 1) };
const TEXT_FORMATS: ReadonlySet<AlertFormat> = new Set(['cef', 'leef']);

function rate(records: readonly unknown[], format: AlertFormat): number {
  let sink = 0;
  // Warm up the JIT before timing.
  for (let i = 0; i < 20_000; i += 1)
    sink += normalizeRecord(records[i % records.length], { ...CONTEXT, format }).ok ? 1 : 0;
  const context = { ...CONTEXT, format };
  let count = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(SECONDS * 1e9));
  for (;;) {
    for (let i = 0; i < 1000; i += 1) {
      sink += normalizeRecord(records[(count + i) % records.length], context).ok ? 1 : 0;
    }
    count += 1000;
    if (process.hrtime.bigint() - start >= budget) break;
  }
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  if (sink < 0) console.log(sink);
  return Math.round(count / elapsed);
}

/** The golden inputs (see libs/domain/src/normalization/fixtures/SOURCES.md), by format. */
const FIXTURES = join(__dirname, '..', 'libs', 'domain', 'src', 'normalization', 'fixtures');
const byFormat = new Map<AlertFormat, unknown[]>();
for (const format of readdirSync(FIXTURES, { withFileTypes: true })) {
  if (!format.isDirectory()) continue;
  const list: unknown[] = [];
  for (const file of readdirSync(join(FIXTURES, format.name))) {
    if (file.endsWith('.expected.json') || file.endsWith('.md')) continue;
    const text = readFileSync(join(FIXTURES, format.name, file), 'utf8');
    const parsed: unknown = file.endsWith('.json') ? JSON.parse(text) : undefined;
    const records =
      parsed === undefined
        ? text.split('\n').filter((l) => l.trim().length > 0)
        : Array.isArray(parsed)
          ? parsed
          : [parsed];
    for (const record of records) if (normalizeRecord(record, CONTEXT).ok) list.push(record);
  }
  byFormat.set(format.name as AlertFormat, list);
}

for (const [format, records] of byFormat) {
  if (records.length === 0) continue;
  const texts = records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r)));
  const avgBytes = Math.round(texts.reduce((n, t) => n + t.length, 0) / texts.length);
  const line: Record<string, unknown> = {
    format,
    records: records.length,
    avgChars: avgBytes,
    textPerSec: rate(texts, format),
  };
  if (!TEXT_FORMATS.has(format))
    line['objectPerSec'] = rate(
      texts.map((t) => JSON.parse(t) as unknown),
      format,
    );
  console.log(JSON.stringify(line));
}
