import { createInterface } from 'node:readline';

/** What a verb may touch: its input lines and two JSON-lines outputs. Tests pass their own. */
export interface CliIo {
  readonly lines: () => AsyncIterable<string>;
  readonly out: (record: unknown) => void;
  readonly err: (record: unknown) => void;
}

export type CliVerb = (args: readonly string[], io: CliIo) => Promise<number>;

/** A reader that stopped early (`| head`) ends the output quietly rather than with a stack trace. */
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

export const processIo = (): CliIo => ({
  lines: () => createInterface({ input: process.stdin, crlfDelay: Infinity }),
  out: (record) => process.stdout.write(`${JSON.stringify(record)}\n`),
  err: (record) => process.stderr.write(`${JSON.stringify(record)}\n`),
});

/** Parses `--name value` and `--flag` pairs; positional words are returned apart. */
export function parseFlags(args: readonly string[]): {
  readonly flags: ReadonlyMap<string, string>;
  readonly positional: readonly string[];
} {
  const flags = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
    const next = args[i + 1];
    if (inline !== undefined) flags.set(name, inline);
    else if (next !== undefined && !next.startsWith('--')) {
      flags.set(name, next);
      i += 1;
    } else flags.set(name, 'true');
  }
  return { flags, positional };
}
