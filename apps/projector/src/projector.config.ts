import { EnvReader, readInfraConfig, type InfraConfig } from '@soc/config';
import { TOPICS } from '@soc/contracts';
import type { EventEncoding } from './event-decoders';

const EVENT_ENCODINGS = ['avro', 'json'] as const satisfies readonly EventEncoding[];

export interface ProjectorConfig {
  readonly infra: InfraConfig;
  readonly httpPort: number;
  readonly groupId: string;
  readonly incidentsTopic: string;
  readonly feedbackTopic: string;
  /** The wire format of each topic; a record in the other goes to the dead letters. */
  readonly incidentsEncoding: EventEncoding;
  readonly feedbackEncoding: EventEncoding;
  /** Run pending migrations at boot (development and tests); production runs them apart. */
  readonly migrate: boolean;
  /** Longest a fetch waits for data: the floor of projection latency when traffic is low. */
  readonly maxWaitMs: number;
  readonly maxBytesPerPartition: number;
  readonly partitionsConsumedConcurrently: number;
  readonly databasePoolSize: number;
}

export function readProjectorConfig(env: NodeJS.ProcessEnv = process.env): ProjectorConfig {
  const reader = new EnvReader(env);
  const config: ProjectorConfig = {
    infra: readInfraConfig(reader),
    httpPort: reader.integer('PROJECTOR_HTTP_PORT', 8082, { min: 0, max: 65535 }),
    groupId: reader.string('PROJECTOR_GROUP_ID', 'soc-projector'),
    incidentsTopic: reader.string('PROJECTOR_INCIDENTS_TOPIC', TOPICS.incidents),
    feedbackTopic: reader.string('PROJECTOR_FEEDBACK_TOPIC', TOPICS.feedback),
    incidentsEncoding: reader.oneOf('PROJECTOR_INCIDENTS_ENCODING', EVENT_ENCODINGS, 'avro'),
    feedbackEncoding: reader.oneOf('PROJECTOR_FEEDBACK_ENCODING', EVENT_ENCODINGS, 'avro'),
    migrate: reader.string('DB_MIGRATE', 'true') === 'true',
    maxWaitMs: reader.durationMs('PROJECTOR_MAX_WAIT', 100),
    maxBytesPerPartition: reader.integer('PROJECTOR_MAX_BYTES_PER_PARTITION', 2 * 1024 * 1024, {
      min: 1024,
    }),
    partitionsConsumedConcurrently: reader.integer('PROJECTOR_CONCURRENCY', 2, { min: 1, max: 64 }),
    databasePoolSize: reader.integer('PROJECTOR_DB_POOL', 6, { min: 1, max: 100 }),
  };
  reader.done();
  return config;
}
