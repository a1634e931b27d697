import type { CliIo } from './cli-io';

/**
 * The command line's one flag parser. Each verb declares its flags, one line each:
 *
 *   const FLAGS = { format: 'value', tenant: 'value', realtime: 'switch' } as const satisfies FlagSpec;
 *
 * `value` flags take `--name value` or `--name=value`; `repeat` flags take a value each time
 * and may be given again; `switch` flags take no value (`--name`, or `--name=true|false`). An undeclared flag, a value flag without its value or a switch with
 * one is a usage error, so a typo never runs silently without the option. `--` ends the flags.
 */
export type FlagKind = 'value' | 'repeat' | 'switch';
export type FlagSpec = Readonly<Record<string, FlagKind>>;

export class Flags<S extends FlagSpec> {
  constructor(
    private readonly values: ReadonlyMap<string, string>,
    private readonly repeated: ReadonlyMap<string, readonly string[]>,
  ) {}

  /** The flag's value; a given switch reads as `'true'`. */
  get(name: keyof S & string): string | undefined {
    return this.values.get(name);
  }

  /** Every value of a `repeat` flag, in the order given. */
  all(name: keyof S & string): readonly string[] {
    return this.repeated.get(name) ?? [];
  }

  has(name: keyof S & string): boolean {
    const value = this.values.get(name);
    return value !== undefined && value !== 'false';
  }
}

export type FlagParse<S extends FlagSpec> =
  | { readonly ok: true; readonly flags: Flags<S>; readonly positional: readonly string[] }
  | { readonly ok: false; readonly error: string };

export function parseFlags<S extends FlagSpec>(args: readonly string[], spec: S): FlagParse<S> {
  const values = new Map<string, string>();
  const repeated = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const equals = arg.indexOf('=');
    const name = arg.slice(2, equals < 0 ? undefined : equals);
    const inline = equals < 0 ? undefined : arg.slice(equals + 1);
    const kind = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (kind === undefined) return { ok: false, error: unknownFlag(name, spec) };
    if (kind !== 'repeat' && values.has(name))
      return { ok: false, error: `--${name} is given twice` };
    if (kind === 'switch') {
      if (inline !== undefined && inline !== 'true' && inline !== 'false')
        return { ok: false, error: `--${name} takes no value (or =true, =false)` };
      values.set(name, inline ?? 'true');
      continue;
    }
    const value = inline ?? args[i + 1];
    if (value === undefined || (inline === undefined && value.startsWith('--')))
      return { ok: false, error: `--${name} needs a value` };
    if (inline === undefined) i += 1;
    if (kind === 'repeat') repeated.set(name, [...(repeated.get(name) ?? []), value]);
    else values.set(name, value);
  }
  return { ok: true, flags: new Flags<S>(values, repeated), positional };
}

function unknownFlag(name: string, spec: FlagSpec): string {
  const known = Object.keys(spec).map((flag) => `--${flag}`);
  return known.length === 0
    ? `unknown flag --${name} (this verb takes no flags)`
    : `unknown flag --${name} (known: ${known.join(', ')})`;
}

/** Reports a usage error the way every verb does, and gives its exit code. */
export function usageError(io: CliIo, error: string, usage: string): 2 {
  io.err({ error, usage });
  return 2;
}
