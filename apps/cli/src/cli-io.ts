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

/**
 * Standard output in one write per turn of the event loop instead of one per record: a verb
 * like `correlate` writes several records per input line, and each write to a file or pipe is
 * a system call. Whatever a turn produced is written before the next turn (so `simulate
 * --realtime` still streams) and before the process exits.
 */
function batchedStdout(): (text: string) => void {
  let pending: string[] = [];
  const flush = () => {
    const text = pending.join('');
    pending = [];
    process.stdout.write(text);
  };
  return (text) => {
    if (pending.length === 0) setImmediate(flush);
    pending.push(text);
  };
}

export const processIo = (): CliIo => {
  const write = batchedStdout();
  return {
    lines: () => createInterface({ input: process.stdin, crlfDelay: Infinity }),
    out: (record) => write(`${JSON.stringify(record)}\n`),
    err: (record) => process.stderr.write(`${JSON.stringify(record)}\n`),
  };
};
