import { EnvReader } from './env-reader';
import { asSchemaOwner, readInfraConfig } from './infra-config';

const STACK = { KAFKA_BROKERS: 'k:9092', SCHEMA_REGISTRY_URL: 'http://r' };
const read = (env: NodeJS.ProcessEnv, service?: 'projector') => {
  const reader = new EnvReader(env);
  const infra = readInfraConfig(reader, service);
  reader.done();
  return infra;
};

describe('readInfraConfig', () => {
  it("connects a service with its own login and keeps the owner's URL for migrations", () => {
    const infra = read(
      {
        ...STACK,
        DATABASE_URL: 'postgres://owner@db/soc',
        PROJECTOR_DATABASE_URL: 'postgres://p1@db/soc',
      },
      'projector',
    );
    expect(infra).toMatchObject({
      databaseUrl: 'postgres://p1@db/soc',
      ownerDatabaseUrl: 'postgres://owner@db/soc',
    });
    expect(asSchemaOwner(infra).databaseUrl).toBe('postgres://owner@db/soc');
  });

  it('falls back to DATABASE_URL without the service variable', () => {
    expect(read({ ...STACK, DATABASE_URL: 'postgres://owner@db/soc' }, 'projector')).toMatchObject({
      databaseUrl: 'postgres://owner@db/soc',
      ownerDatabaseUrl: 'postgres://owner@db/soc',
    });
  });

  it('needs DATABASE_URL only when the service has no login of its own', () => {
    const infra = read({ ...STACK, PROJECTOR_DATABASE_URL: 'postgres://p1@db/soc' }, 'projector');
    expect(infra.ownerDatabaseUrl).toBe('');
    expect(() => asSchemaOwner(infra)).toThrow(/DATABASE_URL \(the schema owner\) is not set/);
    expect(() => read({ ...STACK }, 'projector')).toThrow(/DATABASE_URL: required/);
  });
});
