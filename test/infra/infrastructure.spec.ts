import { planInfrastructure } from './infrastructure';

const all = {
  KAFKA_BROKERS: 'broker:9092',
  SCHEMA_REGISTRY_URL: 'http://registry:8081/apis/ccompat/v7',
  DATABASE_URL: 'postgres://u@db/postgres',
};

describe('choosing the test infrastructure', () => {
  it("uses the user's services when all three variables are set", () => {
    expect(planInfrastructure(all)).toEqual({ kind: 'env', env: all });
  });

  it('tries a Docker engine, then the local stack, when none is set', () => {
    expect(planInfrastructure({})).toEqual({ kind: 'docker-else-local-stack' });
  });

  it('ignores a partial environment, saying which variables are missing', () => {
    expect(planInfrastructure({ KAFKA_BROKERS: 'broker:9092', DATABASE_URL: '  ' })).toEqual({
      kind: 'docker-else-local-stack',
      warning:
        'KAFKA_BROKERS set but SCHEMA_REGISTRY_URL, DATABASE_URL not: ignoring the partial environment',
    });
  });

  it('honours SOC_TEST_INFRA over the environment variables', () => {
    expect(planInfrastructure({ ...all, SOC_TEST_INFRA: 'local-stack' })).toEqual({
      kind: 'local-stack',
    });
    expect(planInfrastructure({ SOC_TEST_INFRA: 'docker' })).toEqual({ kind: 'docker' });
  });

  it('fails clearly when a forced source cannot be used', () => {
    expect(() => planInfrastructure({ SOC_TEST_INFRA: 'env', KAFKA_BROKERS: 'b:1' })).toThrow(
      'SOC_TEST_INFRA=env but SCHEMA_REGISTRY_URL, DATABASE_URL not set',
    );
    expect(() => planInfrastructure({ SOC_TEST_INFRA: 'kubernetes' })).toThrow(
      /expected one of env, docker, local-stack/,
    );
  });
});
