import type { CliIo } from '../src/cli-io';

/** A CliIo over arrays: the lines to read, and what the verb wrote to stdout and stderr. */
export function fakeIo(
  lines: readonly string[] = [],
): CliIo & { readonly outs: unknown[]; readonly errs: unknown[] } {
  const outs: unknown[] = [];
  const errs: unknown[] = [];
  return {
    outs,
    errs,
    lines: async function* () {
      yield* lines;
    },
    out: (record) => outs.push(record),
    err: (record) => errs.push(record),
  };
}
