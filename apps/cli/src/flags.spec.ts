import { parseFlags, usageError, type FlagSpec } from './flags';
import { fakeIo } from '../test/fake-io';

const SPEC = { format: 'value', tenant: 'value', realtime: 'switch' } as const satisfies FlagSpec;

describe('parseFlags', () => {
  it('reads value flags in both spellings, switches and positional words', () => {
    const parsed = parseFlags(['create', '--format', 'cef', '--tenant=acme', '--realtime'], SPEC);
    if (!parsed.ok) throw new Error(parsed.error);
    expect([parsed.flags.get('format'), parsed.flags.get('tenant')]).toEqual(['cef', 'acme']);
    expect(parsed.flags.has('realtime')).toBe(true);
    expect(parsed.positional).toEqual(['create']);
  });

  it('does not let a switch swallow the next word', () => {
    const parsed = parseFlags(['--realtime', 'rebuild'], SPEC);
    expect(parsed.ok && parsed.positional).toEqual(['rebuild']);
  });

  it('reads --switch=false as not given', () => {
    const parsed = parseFlags(['--realtime=false'], SPEC);
    expect(parsed.ok && parsed.flags.has('realtime')).toBe(false);
  });

  it.each([
    [['--fromat', 'cef'], 'unknown flag --fromat (known: --format, --tenant, --realtime)'],
    [['--format'], '--format needs a value'],
    [['--format', '--tenant', 'a'], '--format needs a value'],
    [['--realtime=yes'], '--realtime takes no value (or =true, =false)'],
    [['--tenant', 'a', '--tenant', 'b'], '--tenant is given twice'],
  ])('refuses %j: %s', (args, error) => {
    expect(parseFlags(args, SPEC)).toEqual({ ok: false, error });
  });

  it('says so when a verb takes no flags at all', () => {
    expect(parseFlags(['--x'], {})).toEqual({
      ok: false,
      error: 'unknown flag --x (this verb takes no flags)',
    });
  });

  it('takes everything after -- as positional', () => {
    const parsed = parseFlags(['--', '--format', 'x'], SPEC);
    expect(parsed.ok && parsed.positional).toEqual(['--format', 'x']);
  });

  it('reports a usage error on stderr with exit code 2', () => {
    const io = fakeIo();
    expect(usageError(io, 'unknown flag --x', 'usage: v')).toBe(2);
    expect(io.errs).toEqual([{ error: 'unknown flag --x', usage: 'usage: v' }]);
  });
});
