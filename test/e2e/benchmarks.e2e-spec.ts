import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

/**
 * The benchmarks are commands, not timed tests: CI runs each in its smoke size only to prove
 * it still runs end to end and prints its one JSON object of figures.
 */
async function bench(
  script: string,
  args: readonly string[],
  timeoutMs = 240_000,
): Promise<Record<string, unknown>> {
  const { stdout } = await run(
    process.execPath,
    ['-r', './tools/register.cjs', `bench/${script}.ts`, ...args],
    {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'warn' },
      maxBuffer: 64 * 1024 * 1024,
      timeout: timeoutMs,
    },
  );
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] as string) as Record<string, unknown>;
}

describe('benchmarks in smoke mode', () => {
  // The stack benches and bench:correlate run the compiled apps: one build for all of them.
  beforeAll(async () => {
    await run('npm', ['run', '-s', 'build'], { cwd: ROOT, timeout: 240_000 });
  }, 250_000);

  it('bench:core correlates generated alerts in process and reports its rate and memory', async () => {
    const figures = await bench('core', ['--count', '5000', '--allocations']);
    expect(figures['alerts']).toBe(5000);
    expect(figures['alertsPerSecond']).toEqual(expect.any(Number));
    expect(figures['peakHeapMB']).toEqual(expect.any(Number));
    // The state's memory is what releasing its parts gives back; open incidents hold some.
    const breakdown = figures['breakdown'] as Record<string, { bytesPerOpenIncident: number }>;
    expect(Object.keys(breakdown)).toEqual([
      'alertIndex',
      'closedIncidents',
      'campaignMemory',
      'openIncidents',
      'baselinesAndModels',
    ]);
    expect(breakdown['openIncidents']?.bytesPerOpenIncident).toBeGreaterThan(0);
    // Deciding allocates: the sampler saw it, and names the correlator's frames.
    expect(figures['allocatedBytesPerAlert']).toBeGreaterThan(0);
    const sites = figures['allocationSites'] as { frame: string }[];
    expect(sites.some(({ frame }) => frame.includes('correlation/'))).toBe(true);
  });

  it('bench:events counts the incident events of micro-batched generated alerts by type', async () => {
    const figures = await bench('events', ['--count', '3000', '--batch', '500']);
    expect(figures).toMatchObject({ alerts: 3000, batch: 500 });
    const byType = figures['byType'] as Record<string, number>;
    expect(byType['IncidentOpened']).toBeGreaterThan(0);
    expect(Object.values(byType).reduce((sum, n) => sum + n, 0)).toBe(figures['events']);
  });

  it('bench:pipeline drives alerts through ingest, correlator and projector, and through the null pipeline', async () => {
    // Two pipelines one after the other: about 2.5 minutes on a loaded 2-core machine.
    const figures = await bench('pipeline', ['--smoke', '--compare-null', '--no-build'], 420_000);
    expect(figures['bench']).toBe('pipeline-compare-null');
    const runs = { real: figures['real'], null: figures['null'] } as Record<
      string,
      Record<string, unknown>
    >;
    expect(runs['real']).toMatchObject({ identitySteps: false, missing: 0 });
    expect(runs['null']).toMatchObject({ identitySteps: true, missing: 0 });
    // The null projector writes one row per alert (nothing is folded into a counter).
    expect(runs['null']?.['alertToVisibleMs']).toMatchObject({ notVisible: 0 });
    expect(figures['ratioToNull']).toEqual(expect.any(Number));
  }, 450_000);

  it('bench:projector projects incident events into Postgres', async () => {
    const figures = await bench('projector', ['--smoke', '--no-build']);
    expect(figures['bench']).toBe('projector');
  });

  it('bench:api loads the list and detail endpoints', async () => {
    const figures = await bench('api', ['--smoke', '--no-build']);
    expect(figures['bench']).toBe('api');
    // Only 2xx answers measure the reads; a 429 from the per-key limit would measure the limiter.
    for (const endpoint of ['list', 'detail']) {
      expect(figures[endpoint]).toMatchObject({ non2xx: 0, errors: 0, timeouts: 0 });
      expect((figures[endpoint] as { requests: number }).requests).toBeGreaterThan(0);
    }
  });

  it('bench:correlate times soc correlate, compiled, beside reading and the rarity reference', async () => {
    const figures = await bench('correlate', ['--smoke', '--no-build'], 420_000);
    expect(figures).toMatchObject({ bench: 'correlate', alerts: 2000, runs: 1 });
    for (const step of ['readParse', 'rarityReference', 'socCorrelate'])
      expect((figures[step] as { wallSeconds: number }).wallSeconds).toBeGreaterThan(0);
    expect(figures['socCorrelateToRarityReference']).toEqual(expect.any(Number));
  }, 450_000);
});
