// Test support: the connectors app as a child process, run the way production runs it, so a
// spec can kill it without warning (SIGKILL runs no shutdown hook and flushes nothing).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from '@soc/testing';
import { freePort } from '../../../../test/support/app-process';

const REPO_ROOT = join(__dirname, '..', '..', '..', '..');

export interface ConnectorsProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
  readonly exited: Promise<void>;
}

export async function spawnConnectors(
  env: Readonly<Record<string, string>>,
): Promise<ConnectorsProcess> {
  const port = await freePort();
  const chunks: string[] = [];
  const child = spawn(
    process.execPath,
    [
      '-r',
      join(REPO_ROOT, 'tools', 'register.cjs'),
      join(REPO_ROOT, 'apps', 'connectors', 'src', 'main.ts'),
    ],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, LOG_LEVEL: 'info', ...env, CONNECTORS_HTTP_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  const output = (): string => chunks.join('').slice(-20_000);
  let gone = false;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => ((gone = true), resolve())),
  );
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (gone) throw new Error(`connectors exited:\n${output()}`);
      return (await fetch(`${url}/health`).catch(() => undefined))?.status === 200;
    },
    { timeoutMs: 60_000, intervalMs: 100, describe: 'the connectors process to answer /health' },
  ).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${output()}`);
  });
  return { child, url, output, exited };
}
