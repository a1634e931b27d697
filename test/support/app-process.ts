import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { waitFor } from '@soc/testing';

/**
 * Runs a service the way production does (`node -r ./tools/register.cjs apps/<name>/src/main.ts`)
 * and waits for its /health to answer 200. Output is kept for the failure message.
 * TODO(lead): move into libs/testing if other specs start services too.
 */
const REPO_ROOT = join(__dirname, '..', '..');

export interface AppProcess {
  readonly url: string;
  readonly port: number;
  /** The process id, for reading its memory from /proc. */
  readonly pid: number;
  readonly output: () => string;
  readonly stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
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

export async function startApp(
  name: string,
  env: Readonly<Record<string, string>>,
  portVariable: string,
  { timeoutMs = 90_000 }: { readonly timeoutMs?: number } = {},
): Promise<AppProcess> {
  const port = await freePort();
  const chunks: string[] = [];
  const child: ChildProcess = spawn(
    process.execPath,
    [
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
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const output = () => chunks.join('').slice(-20_000);
  const url = `http://127.0.0.1:${port}`;
  let exited: number | null = null;
  child.on('exit', (code) => {
    exited = code ?? -1;
  });
  try {
    await waitFor(
      async () => {
        if (exited !== null) throw new Error(`${name} exited with ${exited}:\n${output()}`);
        const response = await fetch(`${url}/health`).catch(() => null);
        return response?.status === 200;
      },
      { timeoutMs, intervalMs: 200, describe: `${name} to answer /health` },
    );
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\n--- ${name} output ---\n${output()}`,
    );
  }
  return {
    url,
    port,
    pid: child.pid ?? -1,
    output,
    stop: async () => {
      if (exited !== null) return;
      const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(timer);
    },
  };
}
