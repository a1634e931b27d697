/**
 * Shared plumbing of the stack benches (pipeline, projector, api): flags, the stack's
 * coordinates, fresh databases, services as child processes, /proc figures, percentiles.
 * Apps are run as child processes the way production runs them; nothing here imports an app.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { openDataSource } from '@soc/persistence';
import { acquireStack } from '../tools/stack';

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
  readonly url: string;
  readonly drop: () => Promise<void>;
}

/** Creates a database on the stack's server, migrated to the current schema. */
export async function freshDatabase(serverUrl: string, name: string): Promise<FreshDatabase> {
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

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Service {
  readonly name: string;
  readonly pid: number;
  readonly url: string;
  readonly output: () => string;
  readonly stop: () => Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
export { sleep };

/**
 * Starts `apps/<name>/src/main.ts` as production does and waits for its /health. `extraNodeArgs`
 * go before the script (for example `--cpu-prof`).
 */
export async function startService(
  name: string,
  env: Readonly<Record<string, string>>,
  portVariable: string,
  { timeoutMs = 120_000, nodeArgs = [] as readonly string[] } = {},
): Promise<Service> {
  const port = await freePort();
  const chunks: string[] = [];
  const child: ChildProcess = spawn(
    process.execPath,
    [
      ...nodeArgs,
      '-r',
      join(REPO_ROOT, 'tools', 'register.cjs'),
      join(REPO_ROOT, 'apps', name, 'src', 'main.ts'),
    ],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env, [portVariable]: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const keep = (chunk: Buffer): void => {
    chunks.push(chunk.toString());
    if (chunks.length > 200) chunks.splice(0, chunks.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const output = (): string => chunks.join('').slice(-8_000);
  const url = `http://127.0.0.1:${port}`;
  let exited: number | null = null;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exited = code ?? -1;
      resolve();
    }),
  );
  // Children never outlive the bench, even when it dies of an uncaught error.
  const killOnExit = (): void => {
    if (exited === null) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== null) throw new Error(`${name} exited with ${exited}:\n${output()}`);
    const response = await fetch(`${url}/health`).catch(() => null);
    if (response?.status === 200) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not answer /health in ${timeoutMs} ms:\n${output()}`);
    }
    await sleep(200);
  }
  return {
    name,
    pid: child.pid as number,
    url,
    output,
    stop: async () => {
      process.removeListener('exit', killOnExit);
      if (exited !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
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
