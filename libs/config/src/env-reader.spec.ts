import { ConfigError, EnvReader, parseDurationMs } from './env-reader';

describe('EnvReader', () => {
  it('reports every missing or malformed variable at once', () => {
    const reader = new EnvReader({ BATCH: 'many', WINDOW: '15 minutes' });
    reader.string('KAFKA_BROKERS');
    reader.integer('BATCH', 10);
    reader.durationMs('WINDOW', 1);
    expect(() => reader.done()).toThrow(ConfigError);
    try {
      reader.done();
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        'KAFKA_BROKERS: required',
        "BATCH: expected an integer from 0 to 9007199254740991, got 'many'",
        "WINDOW: expected a whole number with a unit (500ms, 90s, 15m, 24h, 7d) or a bare number of milliseconds, got '15 minutes'",
      ]);
    }
  });

  it('takes one of the named choices and refuses anything else', () => {
    const reader = new EnvReader({ GOOD: 'json', BAD: 'JSON ' });
    expect(reader.oneOf('GOOD', ['avro', 'json'], 'avro')).toBe('json');
    expect(reader.oneOf('UNSET', ['avro', 'json'], 'avro')).toBe('avro');
    reader.oneOf('BAD', ['avro', 'json'], 'avro');
    expect(() => reader.done()).toThrow("BAD: expected one of avro, json, got 'JSON'");
  });

  it('splits lists and applies fallbacks', () => {
    const reader = new EnvReader({ KAFKA_BROKERS: 'a:9092, b:9092' });
    expect(reader.list('KAFKA_BROKERS')).toEqual(['a:9092', 'b:9092']);
    expect(reader.integer('MISSING', 7)).toBe(7);
    expect(() => reader.done()).not.toThrow();
  });

  it.each([
    ['900000', 900_000],
    ['15m', 900_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    ['250ms', 250],
    ['1.5h', undefined],
  ])('parses the duration %s', (raw, expected) => {
    expect(parseDurationMs(raw)).toBe(expected);
  });

  it.each([
    ['15', 900_000],
    ['15m', 900_000],
    ['90s', 90_000],
    ['500ms', 500],
  ])('reads %s with minutes as the unit of a bare number', (raw, expected) => {
    const reader = new EnvReader({ WINDOW: raw });
    expect(reader.durationMs('WINDOW', 1, { bareUnit: 'm' })).toBe(expected);
    expect(() => reader.done()).not.toThrow();
  });

  it('names a trailing comment as the reason a duration is refused', () => {
    const reader = new EnvReader({ WINDOW: '15m # correlation window' });
    expect(reader.durationMs('WINDOW', 1)).toBe(1);
    expect(() => reader.done()).toThrow(
      "WINDOW: expected a whole number with a unit (500ms, 90s, 15m, 24h, 7d) or a bare number of milliseconds, got '15m # correlation window': a trailing '#' comment is part of the value (environment files do not strip it); remove it",
    );
  });

  it.each(['-5m', '1.5h', '15 m', '15min', 'PT15M', '#15m'])(
    'refuses the duration %s instead of falling back',
    (raw) => {
      const reader = new EnvReader({ WINDOW: raw });
      reader.optionalDurationMs('WINDOW', { bareUnit: 'm' });
      expect(() => reader.done()).toThrow(`WINDOW: expected a whole number with a unit`);
    },
  );

  it('treats an unset or blank duration as not given', () => {
    const reader = new EnvReader({ BLANK: '  ' });
    expect(reader.optionalDurationMs('BLANK')).toBeUndefined();
    expect(reader.optionalDurationMs('MISSING')).toBeUndefined();
    expect(() => reader.done()).not.toThrow();
  });
});
