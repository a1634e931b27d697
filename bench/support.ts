/**
 * Shared plumbing of the stack benches (pipeline, projector, api): flags, the stack's
 * coordinates, fresh databases, services as child processes (test/support/app-process.ts),
 * /proc figures, percentiles. Nothing here imports an app.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { openDataSource } from '@soc/persistence';
import { ensureSpecLogins, serviceDatabaseEnv } from '@soc/testing';
import { acquireStack } from '../tools/stack';
import { startApp, type AppProcess } from '../test/support/app-process';

export const REPO_ROOT = join(__dirname, '..');

/** `--name value` pairs and bare `--flag`s. */
export function readFlags(argv: readonly string[] = process.argv.slice(2)): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) continue;
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) flags.set(arg.slice(2), 'true');
    else {
      flags.set(arg.slice(2), next);
      i += 1;
    }
  }
  return flags;
}

export const numberFlag = (flags: Map<string, string>, name: string, fallback: number): number => {
  const raw = flags.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`--${name}: expected a number, got '${raw}'`);
  return value;
};

export interface BenchEnv {
  readonly kafkaBrokers: string;
  readonly schemaRegistryUrl: string;
  readonly databaseUrl: string;
  readonly release: () => Promise<void>;
}

/** The stack from KAFKA_BROKERS, SCHEMA_REGISTRY_URL and DATABASE_URL, else the local one. */
export async function benchEnv(): Promise<BenchEnv> {
  const { KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL } = process.env;
  if (KAFKA_BROKERS && SCHEMA_REGISTRY_URL && DATABASE_URL) {
    return {
      kafkaBrokers: KAFKA_BROKERS,
      schemaRegistryUrl: SCHEMA_REGISTRY_URL,
      databaseUrl: DATABASE_URL,
      release: async () => {},
    };
  }
  const lease = await acquireStack({
    report: (message: string) => process.stderr.write(`${message}\n`),
  });
  return {
    kafkaBrokers: lease.env.KAFKA_BROKERS,
    schemaRegistryUrl: lease.env.SCHEMA_REGISTRY_URL,
    databaseUrl: lease.env.DATABASE_URL,
    release: lease.release,
  };
}

/** A unique, readable name for this run's topics, groups and database. */
export const runId = (bench: string): string =>
  `bench_${bench}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;

export interface FreshDatabase {
  /** As its owner: DATABASE_URL, for the services' start-up migrations. */
  readonly url: string;
  /** Each service's `<SERVICE>_DATABASE_URL`: its least-privilege login, as deployed. */
  readonly serviceEnv: Readonly<Record<string, string>>;
  readonly drop: () => Promise<void>;
}

/** Creates a database on the stack's server, migrated to the current schema, and the logins. */
export async function freshDatabase(serverUrl: string, name: string): Promise<FreshDatabase> {
  await ensureSpecLogins(serverUrl);
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const dataSource = await openDataSource(
    { url: url.toString(), applicationName: 'bench-migrate' },
    { migrate: true },
  );
  await dataSource.destroy();
  return {
    url: url.toString(),
    serviceEnv: serviceDatabaseEnv(url.toString()),
    drop: async () => {
      const client = new Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
export { sleep };

export type Service = AppProcess;

/**
 * Services run through the one app spawner the tests use, compiled, the way production runs
 * them (see buildUnlessSkipped).
 */
export const startService = (options: Parameters<typeof startApp>[0]): Promise<AppProcess> =>
  startApp({ ...options, compiled: true });

/** `npm run build` first, so what runs is what production runs; `--no-build` skips it. */
export function buildUnlessSkipped(flags: Map<string, string>): void {
  if (!flags.has('no-build'))
    execFileSync('npm', ['run', '-s', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
}

const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far; 0 when it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Peak resident set (VmHWM) in MB; null when the process is gone. */
export function peakRssMb(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round(Number(match[1]) / 102.4) / 10 : null;
  } catch {
    return null;
  }
}

/** Nearest-rank percentiles of a list of numbers, rounded to 0.1. */
export function percentiles(
  values: readonly number[],
  ps: readonly number[] = [50, 95, 99],
): Record<string, number | null> {
  const sorted = [...values].sort((a, b) => a - b);
  const out: Record<string, number | null> = {};
  for (const p of ps) {
    out[`p${p}`] =
      sorted.length === 0
        ? null
        : round1(
            sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number,
          );
  }
  out['max'] = sorted.length === 0 ? null : round1(sorted[sorted.length - 1] as number);
  return out;
}

export const round1 = (value: number): number => Math.round(value * 10) / 10;

export function machine(): Record<string, unknown> {
  const memTotal = /MemTotal:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'));
  return {
    cpus: cpus().length,
    memGiB: memTotal ? round1(Number(memTotal[1]) / 1_048_576) : null,
    node: process.version,
    // The machine is shared: the 1, 5 and 15 minute load averages at the end of the run.
    loadAverage: loadavg().map(round1),
  };
}

/**
 * Runs a bench's main and exits: children and client sockets may still hold the event loop,
 * and the one JSON line is all a bench owes its caller.
 */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
