// The environment an app reads in a spec: the test infrastructure, plus names of the spec's own.
import { infraFromEnv, type TestInfra } from './infra';

/** The environment the ingest app reads for a spec: the stack, the spec database, small limits. */
export function ingestEnv(
  databaseUrl: string,
  partitions: number,
  overrides: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const infra = infraFromEnv();
  return {
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
    DATABASE_URL: databaseUrl,
    TOPIC_PARTITIONS: String(partitions),
    INGEST_HTTP_PORT: '0',
    INGEST_RAW_FORMATS: '',
    ...overrides,
  };
}

/** The correlator's environment with topics and a consumer group named after `name`. */
export function correlatorEnv(
  infra: TestInfra,
  databaseUrl: string,
  name: string,
  partitions: number,
): Record<string, string> {
  return {
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
    DATABASE_URL: databaseUrl,
    TOPIC_PARTITIONS: String(partitions),
    CORRELATOR_HTTP_PORT: '0',
    CORRELATOR_GROUP_ID: name,
    ALERTS_TOPIC: `${name}.alerts`,
    INCIDENTS_TOPIC: `${name}.incidents`,
    ALERTS_DLQ_TOPIC: `${name}.alerts.dlq`,
    INTEL_TOPIC: `${name}.intel`,
    TENANT_CONFIG_TOPIC: `${name}.tenant-config`,
  };
}
