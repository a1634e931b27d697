import { EnvReader } from './env-reader';

/** Where the real infrastructure is. `npm run stack -- up` prints KAFKA_BROKERS, SCHEMA_REGISTRY_URL and DATABASE_URL. */
export interface InfraConfig {
  readonly kafkaBrokers: readonly string[];
  readonly schemaRegistryUrl: string;
  /** The service's own login (`<SERVICE>_DATABASE_URL`), else DATABASE_URL. */
  readonly databaseUrl: string;
  /** The schema owner (DATABASE_URL): migrations and rebuilds only; empty when not set. */
  readonly ownerDatabaseUrl: string;
  /** Partitions for topics the project creates; alerts and incidents must match. */
  readonly topicPartitions: number;
}

/**
 * Each service that uses PostgreSQL connects with its own variable: a login in its
 * least-privilege group role (soc_<service>, see `soc db create-login`).
 */
export const SERVICE_DATABASE_URL_VARIABLES = {
  ingest: 'INGEST_DATABASE_URL',
  correlator: 'CORRELATOR_DATABASE_URL',
  projector: 'PROJECTOR_DATABASE_URL',
  query: 'QUERY_API_DATABASE_URL',
  intel: 'INTEL_DATABASE_URL',
} as const;

export type DatabaseService = keyof typeof SERVICE_DATABASE_URL_VARIABLES;

/** `service`: whose `<SERVICE>_DATABASE_URL` to connect with; without it, DATABASE_URL. */
export function readInfraConfig(reader: EnvReader, service?: DatabaseService): InfraConfig {
  const own = service ? reader.string(SERVICE_DATABASE_URL_VARIABLES[service], '') : '';
  const owner = reader.string('DATABASE_URL', own ? '' : undefined);
  return {
    kafkaBrokers: reader.list('KAFKA_BROKERS'),
    schemaRegistryUrl: reader.string('SCHEMA_REGISTRY_URL'),
    databaseUrl: own || owner,
    ownerDatabaseUrl: owner,
    topicPartitions: reader.integer('TOPIC_PARTITIONS', 6, { min: 1, max: 1024 }),
  };
}

/** The infrastructure as the schema owner, for migrations and rebuilds. */
export function asSchemaOwner(infra: InfraConfig): InfraConfig {
  if (!infra.ownerDatabaseUrl)
    throw new Error(
      'DATABASE_URL (the schema owner) is not set: migrations and rebuilds run as the owner; ' +
        'set it, or DB_MIGRATE=false and run `soc db migrate` apart',
    );
  return { ...infra, databaseUrl: infra.ownerDatabaseUrl };
}
