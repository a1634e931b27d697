import { spawn } from 'node:child_process';
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { REPO_ROOT, buildUnlessSkipped, machine, readFlags, round1, runBench } from './support';

/**
 * `soc correlate` over a whole scenario, one process from start to exit, beside the two
 * references the throughput target names, over the same decompressed file in the same run:
 * reading and `JSON.parse` of every line (the floor), and the datasets README's 20-line rarity
 * reference (bench/correlate/rarity-reference.mjs). The three alternate `--runs` times and the
 * fastest run of each counts (the machine is shared; the fastest is the least disturbed).
 * `soc correlate` runs compiled, as production does: `npm run build` first, unless
 * `--no-build`. Prints one JSON object.
 *
 *   npm run bench:correlate -- [--input FILE.jsonl[.gz]] [--lines N] [--runs 3] [--no-build] [--smoke]
 */

const FLAGS = new Set(['input', 'lines', 'runs', 'no-build', 'smoke']);
const DEFAULT_INPUT = join(
  REPO_ROOT,
  '..',
  'shared',
  'datasets',
  'ait-ads',
  'wilson.labeled.jsonl.gz',
);
const USAGE_PRELOAD = join(__dirname, 'correlate', 'usage-at-exit.mjs');

interface Step {
  readonly name: 'readParse' | 'rarityReference' | 'socCorrelate';
  readonly args: readonly string[];
}

const STEPS: readonly Step[] = [
  { name: 'readParse', args: [join(__dirname, 'correlate', 'read-parse.mjs')] },
  { name: 'rarityReference', args: [join(__dirname, 'correlate', 'rarity-reference.mjs')] },
  {
    name: 'socCorrelate',
    args: [join(REPO_ROOT, 'dist', 'apps', 'cli', 'src', 'main.js'), 'correlate'],
  },
];

interface StepRun {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  readonly peakRssMb: number;
}

function positiveInteger(flags: Map<string, string>, name: string, fallback: number): number {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name}: expected a positive integer, got '${raw}'`);
  return value;
}

/** The input's first `lines` lines (all when null), decompressed into `target`. */
async function writePlainInput({
  input,
  lines,
  target,
}: {
  readonly input: string;
  readonly lines: number | null;
  readonly target: string;
}): Promise<number> {
  const source = createReadStream(input);
  const text = input.endsWith('.gz') ? source.pipe(createGunzip()) : source;
  const out = createWriteStream(target);
  let written = 0;
  for await (const line of createInterface({ input: text, crlfDelay: Infinity })) {
    if (line.length === 0) continue;
    if (!out.write(`${line}\n`))
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    written += 1;
    if (lines !== null && written >= lines) break;
  }
  source.destroy();
  await new Promise<void>((resolve, reject) => {
    out.once('error', reject);
    out.end(resolve);
  });
  return written;
}

/** One whole process over the plain file on stdin, its stdout discarded. */
async function runStep({
  step,
  plainFile,
  usageFile,
}: {
  readonly step: Step;
  readonly plainFile: string;
  readonly usageFile: string;
}): Promise<StepRun> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, ['--import', USAGE_PRELOAD, ...step.args], {
    stdio: [openSync(plainFile, 'r'), 'ignore', 'pipe'],
    env: { ...process.env, BENCH_USAGE_FILE: usageFile, LOG_LEVEL: 'warn' },
  });
  const stderr: Buffer[] = [];
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0)
    throw new Error(
      `${step.name} exited ${code}: ${Buffer.concat(stderr).toString().slice(-2000)}`,
    );
  const usage = JSON.parse(readFileSync(usageFile, 'utf8')) as Omit<StepRun, 'wallSeconds'>;
  return { wallSeconds, cpuSeconds: usage.cpuSeconds, peakRssMb: usage.peakRssMb };
}

const fastest = (runs: readonly StepRun[]): StepRun =>
  runs.reduce((best, run) => (run.wallSeconds < best.wallSeconds ? run : best));

const rounded = (run: StepRun) => ({
  wallSeconds: Math.round(run.wallSeconds * 100) / 100,
  cpuSeconds: Math.round(run.cpuSeconds * 100) / 100,
  peakRssMb: Math.round(run.peakRssMb),
});

async function main(): Promise<void> {
  const flags = readFlags();
  for (const name of flags.keys())
    if (!FLAGS.has(name))
      throw new Error(`unknown flag --${name}; known: ${[...FLAGS].join(', ')}`);
  const input = flags.get('input') ?? DEFAULT_INPUT;
  // --smoke: CI's proof that it runs, on the file's first 2,000 lines, once.
  const smoke = flags.has('smoke');
  const lines = flags.has('lines') ? positiveInteger(flags, 'lines', 1) : smoke ? 2_000 : null;
  const runs = positiveInteger(flags, 'runs', smoke ? 1 : 3);
  buildUnlessSkipped(flags);

  const dir = mkdtempSync(join(tmpdir(), 'bench-correlate-'));
  try {
    const plainFile = join(dir, 'alerts.jsonl');
    const alerts = await writePlainInput({ input, lines, target: plainFile });
    const byStep = new Map<Step['name'], StepRun[]>(STEPS.map((step) => [step.name, []]));
    for (let run = 0; run < runs; run += 1)
      for (const step of STEPS)
        byStep
          .get(step.name)
          ?.push(await runStep({ step, plainFile, usageFile: join(dir, 'usage.json') }));
    const best = Object.fromEntries(
      STEPS.map((step) => [step.name, fastest(byStep.get(step.name) as StepRun[])]),
    ) as Record<Step['name'], StepRun>;
    const ratio = (of: StepRun, to: StepRun) =>
      Math.round((of.wallSeconds / to.wallSeconds) * 100) / 100;
    console.log(
      JSON.stringify({
        bench: 'correlate',
        input: input.split('/').slice(-1)[0],
        alerts,
        runs,
        readParse: rounded(best.readParse),
        rarityReference: rounded(best.rarityReference),
        socCorrelate: {
          ...rounded(best.socCorrelate),
          alertsPerSecond: Math.round(alerts / best.socCorrelate.wallSeconds),
        },
        // The targets: at most 2 times reading and parsing, and below 1 against the reference.
        socCorrelateToReadParse: ratio(best.socCorrelate, best.readParse),
        socCorrelateToRarityReference: ratio(best.socCorrelate, best.rarityReference),
        allRunsWallSeconds: Object.fromEntries(
          [...byStep].map(([name, stepRuns]) => [name, stepRuns.map((r) => round1(r.wallSeconds))]),
        ),
        machine: machine(),
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench(main);
