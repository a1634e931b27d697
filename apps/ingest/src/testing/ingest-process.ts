// Test support: the ingest app as a child process, run the way production runs it, so a spec
// can kill it without warning (SIGKILL runs no shutdown hook and flushes nothing).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from '@soc/testing';
import { freePort } from '../../../../test/support/app-process';

const REPO_ROOT = join(__dirname, '..', '..', '..', '..');

export interface IngestProcess {
  readonly pid: number;
  readonly url: string;
  /** The child's stdout and stderr so far, for failure messages. */
  readonly output: () => string;
  readonly signal: (signal: NodeJS.Signals) => void;
  /** Resolves with the exit code, or the signal that ended it. */
  readonly exited: Promise<number | NodeJS.Signals>;
  /** SIGTERM (graceful shutdown), then SIGKILL if it lingers. */
  readonly stop: () => Promise<void>;
}

/** Starts `apps/ingest/src/main.ts` with `env` on a free HTTP port and waits for /health. */
export async function spawnIngest(
  env: Readonly<Record<string, string>>,
  {
    timeoutMs = 60_000,
    preload = [],
  }: { readonly timeoutMs?: number; readonly preload?: readonly string[] } = {},
): Promise<IngestProcess> {
  const port = await freePort();
  const chunks: string[] = [];
  // register.cjs first: it lets node load the TypeScript sources, preloads included.
  const preloads = [join(REPO_ROOT, 'tools', 'register.cjs'), ...preload].flatMap((file) => [
    '-r',
    file,
  ]);
  const child: ChildProcess = spawn(
    process.execPath,
    [...preloads, join(REPO_ROOT, 'apps', 'ingest', 'src', 'main.ts')],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, LOG_LEVEL: 'warn', ...env, INGEST_HTTP_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const output = (): string => chunks.join('').slice(-20_000);
  let exitedWith: number | NodeJS.Signals | undefined;
  const exited = new Promise<number | NodeJS.Signals>((resolve) => {
    child.once('exit', (code, signal) => {
      exitedWith = signal ?? code ?? -1;
      resolve(exitedWith);
    });
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      async () => {
        if (exitedWith !== undefined) throw new Error(`ingest exited with ${exitedWith}`);
        const response = await fetch(`${url}/health`).catch(() => undefined);
        return response?.status === 200;
      },
      { timeoutMs, intervalMs: 100, describe: 'the ingest child process to answer /health' },
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\n--- ingest output ---\n${output()}`,
    );
  }
  return {
    pid: child.pid ?? -1,
    url,
    output,
    signal: (signal) => {
      if (exitedWith === undefined) child.kill(signal);
    },
    exited,
    stop: async () => {
      if (exitedWith !== undefined) return;
      // A stopped (SIGSTOP) child acts on SIGTERM only once it runs again.
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
