import { EnvReader } from './env-reader';

/** Where the real infrastructure is. `npm run stack -- up` prints these three variables. */
export interface InfraConfig {
  readonly kafkaBrokers: readonly string[];
  readonly schemaRegistryUrl: string;
  readonly databaseUrl: string;
  /** Partitions for topics the project creates; alerts and incidents must match. */
  readonly topicPartitions: number;
}

export function readInfraConfig(reader: EnvReader): InfraConfig {
  return {
    kafkaBrokers: reader.list('KAFKA_BROKERS'),
    schemaRegistryUrl: reader.string('SCHEMA_REGISTRY_URL'),
    databaseUrl: reader.string('DATABASE_URL'),
    topicPartitions: reader.integer('TOPIC_PARTITIONS', 6, { min: 1, max: 1024 }),
  };
}
