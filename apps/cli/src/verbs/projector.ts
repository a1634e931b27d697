import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { CliIo, CliVerb } from '../cli-io';
import { parseFlags, usageError, type FlagSpec } from '../flags';

const REPO_ROOT = join(__dirname, '..', '..', '..', '..');
const USAGE = 'usage: projector rebuild [--no-swap] [--compare] [--timeout 10m]';
const FLAGS = {
  'no-swap': 'switch',
  compare: 'switch',
  timeout: 'value',
} as const satisfies FlagSpec;

/** Runs the projector entry point with arguments; resolves with its exit code. */
export type ProjectorRunner = (
  args: readonly string[],
  onLine: (line: string) => void,
) => Promise<number>;

/**
 * The projector's rebuild lives in the projector app (it shares the live consumer's engine),
 * and no app imports another, so the verb runs the projector entry point as a child process
 * with the same environment (DATABASE_URL, KAFKA_BROKERS, SCHEMA_REGISTRY_URL).
 */
const runProjectorProcess: ProjectorRunner = (args, onLine) =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '-r',
        join(REPO_ROOT, 'tools', 'register.cjs'),
        join(REPO_ROOT, 'apps', 'projector', 'src', 'main.ts'),
        ...args,
      ],
      { cwd: REPO_ROOT, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });

/** Structured log lines become diagnostics; the report (and anything else) is the output. */
function relay(io: CliIo): (line: string) => void {
  return (line) => {
    let record: unknown = line;
    try {
      record = JSON.parse(line);
    } catch {
      io.err({ message: line });
      return;
    }
    const isLog = typeof record === 'object' && record !== null && 'level' in record;
    if (isLog) io.err(record);
    else io.out(record);
  };
}

export function createProjectorVerb(run: ProjectorRunner = runProjectorProcess): CliVerb {
  return async (args, io) => {
    const [subcommand, ...rest] = args;
    if (subcommand !== 'rebuild') {
      io.err({
        error:
          subcommand === undefined ? 'no subcommand given' : `unknown subcommand '${subcommand}'`,
        usage: USAGE,
      });
      return 2;
    }
    const parsed = parseFlags(rest, FLAGS);
    if (!parsed.ok) return usageError(io, parsed.error, USAGE);
    if (parsed.positional.length > 0)
      return usageError(io, `unexpected argument '${parsed.positional[0]}'`, USAGE);
    return run(['rebuild', ...rest], relay(io));
  };
}

/**
 * `soc projector rebuild`: replays soc.incidents.v1 and soc.feedback.v1 from offset 0 into a
 * shadow schema and swaps it in atomically; prints one JSON report line.
 */
export const projectorVerb: CliVerb = createProjectorVerb();
