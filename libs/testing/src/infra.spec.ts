import { infraFromEnv } from './infra';
import { uniqueName } from './unique-name';

describe('infraFromEnv', () => {
  it('reads the brokers, the registry and the database from the environment', () => {
    expect(
      infraFromEnv({
        KAFKA_BROKERS: 'a:9092, b:9092',
        SCHEMA_REGISTRY_URL: 'http://r:8081/apis/ccompat/v7/',
        DATABASE_URL: 'postgres://u@db/postgres',
      }),
    ).toEqual({
      kafkaBrokers: ['a:9092', 'b:9092'],
      schemaRegistryUrl: 'http://r:8081/apis/ccompat/v7',
      databaseUrl: 'postgres://u@db/postgres',
    });
  });

  it('names the missing variables and where they come from', () => {
    expect(() => infraFromEnv({ KAFKA_BROKERS: 'a:9092' })).toThrow(
      /SCHEMA_REGISTRY_URL, DATABASE_URL not set: run integration specs/,
    );
  });
});

describe('uniqueName', () => {
  it('never repeats and stays within the characters Kafka accepts', () => {
    const names = Array.from({ length: 200 }, () => uniqueName('alerts v1/tenant'));
    expect(new Set(names).size).toBe(200);
    for (const name of names) expect(name).toMatch(/^alerts-v1-tenant-[a-z0-9]+-[0-9a-f]{8}$/);
  });
});
