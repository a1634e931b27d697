// The one way tests and benches run an app: `node -r tools/register.cjs apps/<name>/src/main.ts`
// as a child process, the same entry point production runs compiled (`npm run build`), so a
// spec can signal or kill it without warning (SIGKILL runs no shutdown hook and flushes nothing).
// Benches run the compiled entry point itself (`compiled`), as production does.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { waitFor } from '@soc/testing';

const REPO_ROOT = join(__dirname, '..', '..');

export interface AppProcess {
  readonly name: string;
  readonly pid: number;
  /** `http://127.0.0.1:<port>` when a port variable was given, else the empty string. */
  readonly url: string;
  readonly port: number;
  /** The tail of stdout and stderr, for failure messages. */
  readonly output: () => string;
  /** The JSON log lines of stdout so far. */
  readonly logs: () => readonly Record<string, unknown>[];
  readonly exited: () => boolean;
  /** Resolves with the exit code, or the signal that ended the process. */
  readonly exit: Promise<number | NodeJS.Signals>;
  /** Sends a signal without waiting (SIGSTOP, SIGCONT). */
  readonly signal: (signal: NodeJS.Signals) => void;
  /** Sends a signal and waits for the process to exit. */
  readonly kill: (signal: NodeJS.Signals) => Promise<void>;
  /** SIGTERM (a stopped process is continued first), then SIGKILL after `graceMs`. */
  readonly stop: (graceMs?: number) => Promise<void>;
}

export interface SpawnAppOptions {
  /** The app under apps/: ingest, correlator, projector, query-api. */
  readonly name: string;
  /** A label for output and failure messages; the app's name unless two run at once. */
  readonly label?: string;
  readonly env: Readonly<Record<string, string>>;
  /** The variable the app takes its HTTP port from; set to a free port when given. */
  readonly portVariable?: string;
  /** Node flags before the script (`--cpu-prof`). */
  readonly nodeArgs?: readonly string[];
  /** Modules preloaded after register.cjs (`node -r`), which lets them be TypeScript. */
  readonly preload?: readonly string[];
  /**
   * Runs `dist/apps/<name>/src/main.js` (`npm run build`'s output) without the TypeScript
   * register, as production starts: no transpilation at start, none in the figures.
   */
  readonly compiled?: boolean;
}

/** Ports picked for children start here: above the well-known ports the stack uses. */
const LOWEST_PICKED_PORT = 20_000;
/** Where the dynamic ports start when the kernel does not say (IANA's range, macOS's). */
const DYNAMIC_PORTS_START = 49_152;

/** The first port of the kernel's ephemeral range (Linux), else the IANA dynamic range's. */
function ephemeralRangeStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/);
    const port = Number(low);
    return Number.isInteger(port) && port > LOWEST_PICKED_PORT ? port : DYNAMIC_PORTS_START;
  } catch {
    return DYNAMIC_PORTS_START;
  }
}

const bindable = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/**
 * A port nothing listens on, for a child to bind, picked at random below the kernel's
 * ephemeral range. A port from `listen(0)` is an ephemeral one, and between its close and the
 * child's bind any outgoing connection of a suite running beside (to the broker, PostgreSQL)
 * can take it as its local port; connections never take ports below that range.
 */
export async function freePort(): Promise<number> {
  const end = ephemeralRangeStart();
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = randomInt(LOWEST_PICKED_PORT, end);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port found between ${LOWEST_PICKED_PORT} and ${end}`);
}

/** Starts the app and returns at once; it is killed if this process exits first. */
export async function spawnApp(options: SpawnAppOptions): Promise<AppProcess> {
  const port = options.portVariable ? await freePort() : 0;
  const child: ChildProcess = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), ...entryPointArgs(options)],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        LOG_LEVEL: 'warn',
        ...options.env,
        ...(options.portVariable ? { [options.portVariable]: String(port) } : {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return track(child, options.label ?? options.name, port);
}

function entryPointArgs(options: SpawnAppOptions): string[] {
  if (options.compiled) {
    if (options.preload !== undefined) throw new Error('a compiled app takes no preload');
    const script = join(REPO_ROOT, 'dist', 'apps', options.name, 'src', 'main.js');
    if (!existsSync(script)) throw new Error(`${script} is missing: run npm run build first`);
    return [script];
  }
  const preloads = [join(REPO_ROOT, 'tools', 'register.cjs'), ...(options.preload ?? [])];
  return [
    ...preloads.flatMap((file) => ['-r', file]),
    join(REPO_ROOT, 'apps', options.name, 'src', 'main.ts'),
  ];
}

/** `spawnApp`, then waits until the app's /health answers 200. */
export async function startApp(
  options: SpawnAppOptions & { readonly portVariable: string; readonly timeoutMs?: number },
): Promise<AppProcess> {
  const app = await spawnApp(options);
  try {
    await waitFor(
      async () => {
        if (app.exited()) throw new Error(`${app.name} exited`);
        const response = await fetch(`${app.url}/health`).catch(() => null);
        return response?.status === 200;
      },
      { timeoutMs: options.timeoutMs ?? 120_000, intervalMs: 100, describe: `${app.name} /health` },
    );
  } catch (error) {
    app.signal('SIGKILL');
    throw new Error(
      `${error instanceof Error ? error.message : String(error)}\n--- ${app.name} output ---\n${app.output()}`,
    );
  }
  return app;
}

function track(child: ChildProcess, name: string, port: number): AppProcess {
  const text: string[] = [];
  const logs: Record<string, unknown>[] = [];
  let pending = '';
  const keep = (chunk: string): void => {
    text.push(chunk);
    if (text.length > 500) text.splice(0, text.length - 500);
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    keep(chunk.toString());
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // Not a log line (a stack trace, a warning from node): kept in the output only.
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => keep(chunk.toString()));
  let exitedWith: number | NodeJS.Signals | undefined;
  // 'close', not 'exit': it comes after the output pipes are drained, so the last lines are in.
  const exit = new Promise<number | NodeJS.Signals>((resolve) =>
    child.once('close', (code, signal) => {
      exitedWith = signal ?? code ?? -1;
      keep(`\n[${name} exited with ${exitedWith}]\n`);
      process.removeListener('exit', killOnExit);
      resolve(exitedWith);
    }),
  );
  // Children never outlive their parent, even when it dies of an uncaught error.
  const killOnExit = (): void => {
    if (exitedWith === undefined) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const signal = (sent: NodeJS.Signals): void => {
    if (exitedWith === undefined) child.kill(sent);
  };
  const kill = async (sent: NodeJS.Signals): Promise<void> => {
    signal(sent);
    await exit;
  };
  return {
    name,
    pid: child.pid ?? -1,
    url: port > 0 ? `http://127.0.0.1:${port}` : '',
    port,
    output: () => text.join('').slice(-20_000),
    logs: () => logs,
    exited: () => exitedWith !== undefined,
    exit,
    signal,
    kill,
    stop: async (graceMs = 10_000) => {
      if (exitedWith !== undefined) return;
      signal('SIGCONT');
      const escalate = setTimeout(() => signal('SIGKILL'), graceMs);
      await kill('SIGTERM');
      clearTimeout(escalate);
    },
  };
}
