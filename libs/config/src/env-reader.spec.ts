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
        "WINDOW: expected a duration such as 900000, 15m, 24h or 7d, got '15 minutes'",
      ]);
    }
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
});
