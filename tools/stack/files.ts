// File and socket I/O under .stack/: the state file, the env file, the lock that serializes stack
// commands (several engineers and test runs share one working tree), test-run leases, port probes.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { HOST, renderEnvFile, StackEnv } from './config';
import { StackLayout } from './layout';
import { PortProbes } from './ports';
import { isAlive } from './processes';
import { emptyState, parseState, serializeState, StackState } from './state';

export type Reporter = (message: string) => void;

export function readState(layout: StackLayout, report?: Reporter): StackState {
  if (!existsSync(layout.stateFile)) return emptyState();
  try {
    return parseState(readFileSync(layout.stateFile, 'utf8'));
  } catch (error) {
    report?.(`ignoring unreadable ${layout.stateFile}: ${(error as Error).message}`);
    return emptyState();
  }
}

const writeAtomically = (file: string, text: string): void => {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, text);
  renameSync(temp, file);
};

export function writeState(layout: StackLayout, state: StackState): void {
  mkdirSync(layout.dir, { recursive: true });
  writeAtomically(layout.stateFile, serializeState(state));
}

export function writeEnvFile(layout: StackLayout, env: StackEnv | undefined): void {
  if (env) writeAtomically(layout.envFile, renderEnvFile(env));
  else rmSync(layout.envFile, { force: true });
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `task` while holding .stack/lock (an atomic mkdir holding the owner's pid). A lock whose
 * owner died is taken over. A cold start fetches artifacts, so the wait is long.
 */
export async function withLock<T>(
  layout: StackLayout,
  report: Reporter,
  task: () => Promise<T>,
  timeoutMs = 15 * 60_000,
): Promise<T> {
  mkdirSync(layout.dir, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    try {
      mkdirSync(layout.lockDir);
      writeFileSync(join(layout.lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = lockOwner(layout);
    if (owner === 'stale') {
      rmSync(layout.lockDir, { recursive: true, force: true });
      continue;
    }
    if (!told) {
      report(`waiting for another stack command to finish (pid ${owner ?? 'unknown'})`);
      told = true;
    }
    if (Date.now() > deadline)
      throw new Error(
        `timed out waiting for ${layout.lockDir}; remove it if no stack command runs`,
      );
    await pause(200);
  }
  try {
    return await task();
  } finally {
    rmSync(layout.lockDir, { recursive: true, force: true });
  }
}

function lockOwner(layout: StackLayout): number | 'stale' | undefined {
  try {
    const pid = Number(readFileSync(join(layout.lockDir, 'pid'), 'utf8'));
    if (Number.isInteger(pid) && pid > 0)
      return pid === process.pid || !isAlive(pid) ? 'stale' : pid;
  } catch {
    // The owner created the folder but has not written its pid yet, or it died in between.
  }
  try {
    return Date.now() - statSync(layout.lockDir).mtimeMs > 10_000 ? 'stale' : undefined;
  } catch {
    return undefined;
  }
}

/** A test run holding the stack: a file named by its pid (global setup and teardown share one). */
export function addLease(layout: StackLayout, pid = process.pid): void {
  mkdirSync(layout.leasesDir, { recursive: true });
  writeFileSync(join(layout.leasesDir, String(pid)), new Date().toISOString());
}

export function removeLease(layout: StackLayout, pid = process.pid): void {
  rmSync(join(layout.leasesDir, String(pid)), { force: true });
}

/** Pids of live leases; leases of dead processes (a killed test run) are dropped. */
export function liveLeases(layout: StackLayout): number[] {
  if (!existsSync(layout.leasesDir)) return [];
  const live: number[] = [];
  for (const name of readdirSync(layout.leasesDir)) {
    const pid = Number(name);
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) live.push(pid);
    else rmSync(join(layout.leasesDir, name), { force: true });
  }
  return live;
}

export const netPortProbes: PortProbes = {
  isFree: (port) =>
    new Promise((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen({ host: HOST, port, exclusive: true }, () => server.close(() => resolve(true)));
    }),
  ephemeral: () =>
    new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen({ host: HOST, port: 0, exclusive: true }, () => {
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        server.close(() => (port > 0 ? resolve(port) : reject(new Error('no ephemeral port'))));
      });
    }),
};

/** The last `lines` lines of a log file (reads at most the last 256 KiB). */
export function tailFile(file: string, lines: number): string {
  if (!existsSync(file)) return '';
  const size = statSync(file).size;
  const length = Math.min(size, 256 * 1024);
  const buffer = Buffer.alloc(length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  const all = buffer.toString('utf8').split('\n');
  if (all[all.length - 1] === '') all.pop();
  return all.slice(-lines).join('\n');
}

export const randomClusterBytes = (): Uint8Array => randomBytes(16);
