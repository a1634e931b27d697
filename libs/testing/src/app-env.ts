// The environment an app reads in a spec: the test infrastructure, plus names of the spec's own.
import { infraFromEnv, type TestInfra } from './infra';
import { serviceDatabaseEnv } from './spec-logins';
import { uniqueName } from './unique-name';

/**
 * What every app reads in a spec: the broker, the schema registry, the spec database (the
 * owner's URL for migrations, each service's login for its connection), partitions.
 */
export function stackEnv({
  infra,
  databaseUrl,
  partitions,
}: {
  readonly infra: TestInfra;
  readonly databaseUrl: string;
  readonly partitions: number;
}): Record<string, string> {
  return {
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
    DATABASE_URL: databaseUrl,
    ...serviceDatabaseEnv(databaseUrl),
    TOPIC_PARTITIONS: String(partitions),
  };
}

/** The environment the ingest app reads for a spec: the stack, the spec database, small limits. */
export function ingestEnv(
  databaseUrl: string,
  partitions: number,
  overrides: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return {
    ...stackEnv({ infra: infraFromEnv(), databaseUrl, partitions }),
    INGEST_HTTP_PORT: '0',
    INGEST_RAW_FORMATS: '',
    // Ingest reads the shared alerts topic back for this long at start (its re-delivery
    // memory): benches leave millions of records on a developer's stack.
    INGEST_REDELIVERY_HORIZON: '15m',
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
    ...stackEnv({ infra, databaseUrl, partitions }),
    CORRELATOR_HTTP_PORT: '0',
    CORRELATOR_GROUP_ID: name,
    ALERTS_TOPIC: `${name}.alerts`,
    INCIDENTS_TOPIC: `${name}.incidents`,
    ALERTS_DLQ_TOPIC: `${name}.alerts.dlq`,
    INTEL_TOPIC: `${name}.intel`,
    FEEDBACK_TOPIC: `${name}.feedback`,
    TENANT_CONFIG_TOPIC: `${name}.tenant-config`,
    // Specs replay alerts that arrived long ago: a wall-clock idle tick would find every
    // tenant idle at once. The idle-tick spec turns it on.
    CORRELATOR_IDLE_TICK_INTERVAL: '0',
  };
}

/** The projector's environment on a spec's own topics, in a group of its own, polling fast. */
export function projectorEnv(
  common: Readonly<Record<string, string>>,
  {
    incidentsTopic,
    feedbackTopic,
  }: { readonly incidentsTopic: string; readonly feedbackTopic: string },
): Record<string, string> {
  return {
    ...common,
    PROJECTOR_INCIDENTS_TOPIC: incidentsTopic,
    PROJECTOR_FEEDBACK_TOPIC: feedbackTopic,
    PROJECTOR_GROUP_ID: uniqueName('projector'),
    PROJECTOR_MAX_WAIT: '50ms',
  };
}
