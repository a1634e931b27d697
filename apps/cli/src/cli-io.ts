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
