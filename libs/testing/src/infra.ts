// The infrastructure an integration or end-to-end spec runs against, as jest's global setup
// (test/infra/global-setup.ts) put it into the environment.
import type { InfraConfig } from '@soc/config';
import type { ServiceName } from '@soc/persistence';
import { serviceDatabaseUrl } from './spec-logins';

export interface TestInfra {
  readonly kafkaBrokers: readonly string[];
  /** The Confluent-compatible API root, e.g. http://127.0.0.1:8081/apis/ccompat/v7. */
  readonly schemaRegistryUrl: string;
  /** A Postgres server URL; specs create their own database with createSpecDatabase(). */
  readonly databaseUrl: string;
}

export const INFRA_ENV_KEYS = ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL', 'DATABASE_URL'] as const;

export function infraFromEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): TestInfra {
  const missing = INFRA_ENV_KEYS.filter((key) => (env[key] ?? '').trim() === '');
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(', ')} not set: run integration specs through jest's integration or e2e project ` +
        '(its global setup provides the infrastructure), or set all three variables',
    );
  }
  return {
    kafkaBrokers: (env.KAFKA_BROKERS ?? '')
      .split(',')
      .map((broker) => broker.trim())
      .filter(Boolean),
    schemaRegistryUrl: (env.SCHEMA_REGISTRY_URL ?? '').replace(/\/+$/, ''),
    databaseUrl: env.DATABASE_URL ?? '',
  };
}

/**
 * A service's infra config for a spec: this infrastructure with the spec's database (owned by
 * the spec, connected to as the service's login) and partitions.
 */
export function specInfraConfig(
  infra: TestInfra,
  databaseUrl: string,
  topicPartitions: number,
  service: ServiceName,
): InfraConfig {
  return {
    ...infra,
    kafkaBrokers: [...infra.kafkaBrokers],
    databaseUrl: serviceDatabaseUrl(databaseUrl, service),
    ownerDatabaseUrl: databaseUrl,
    topicPartitions,
  };
}
