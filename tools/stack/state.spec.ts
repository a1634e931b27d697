import {
  emptyState,
  envOfState,
  parseState,
  serializeState,
  withAutoStop,
  withoutService,
  withPorts,
  withService,
} from './state';

describe('stack state', () => {
  it('round-trips through its file format', () => {
    const state = withAutoStop(
      withService(withPorts(emptyState(), { kafka: 9092, kafkaController: 9093 }), 'kafka', {
        pid: 4242,
        startedAt: 't',
      }),
      ['kafka'],
    );
    expect(parseState(serializeState(state))).toEqual(state);
  });

  it('drops entries it does not understand instead of trusting them', () => {
    const parsed = parseState(
      JSON.stringify({
        version: 1,
        ports: { kafka: 9092, registry: 'x', postgres: 70_000 },
        services: {
          kafka: { pid: 10, startedAt: 't' },
          zookeeper: { pid: 11 },
          postgres: { pid: 1 },
        },
        autoStop: ['kafka', 'kafka', 'bogus'],
      }),
    );
    expect(parsed).toEqual({
      version: 1,
      ports: { kafka: 9092 },
      services: { kafka: { pid: 10, startedAt: 't' } },
      autoStop: ['kafka'],
    });
  });

  it('rejects files of another version', () => {
    expect(() => parseState('{"version":2}')).toThrow(/version 1/);
    expect(() => parseState('not json')).toThrow();
  });

  it('forgets a stopped service, including its pending automatic stop', () => {
    const state = withAutoStop(
      withService(emptyState(), 'registry', { pid: 7, startedAt: 't', postgresPort: 5432 }),
      ['registry'],
    );
    expect(withoutService(state, 'registry')).toEqual(emptyState());
  });

  it('yields the client environment only once every service has a port', () => {
    expect(envOfState(withPorts(emptyState(), { kafka: 9092, registry: 8081 }))).toBeUndefined();
    expect(
      envOfState(withPorts(emptyState(), { kafka: 9092, registry: 8081, postgres: 5433 }))
        ?.DATABASE_URL,
    ).toBe('postgres://postgres:postgres@127.0.0.1:5433/postgres');
  });
});
