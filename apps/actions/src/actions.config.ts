import { readFileSync } from 'node:fs';
import { EnvReader } from '@soc/config';
import { TOPICS } from '@soc/contracts';
import type { RetryPolicy } from './delivery/retry';
import { RoutingConfigError, parseRouting, type Routing } from './routing/routing';

export interface ActionsConfig {
  readonly kafkaBrokers: readonly string[];
  readonly schemaRegistryUrl: string;
  readonly topicPartitions: number;
  readonly httpPort: number;
  readonly groupId: string;
  readonly incidentsTopic: string;
  readonly deadLetterTopic: string;
  readonly retry: RetryPolicy;
  readonly startFrom: 'earliest' | 'latest';
  readonly routing: Routing;
}

/** Routing files are small; a larger one is a mistake (a log file named by accident). */
const MAX_ROUTING_FILE_BYTES = 1024 * 1024;

export function readActionsConfig(env: NodeJS.ProcessEnv = process.env): ActionsConfig {
  const reader = new EnvReader(env);
  const routingFile = reader.string('ACTIONS_CONFIG_FILE');
  const config = {
    // No database: the service's only state is the incident log and its consumer offsets.
    kafkaBrokers: reader.list('KAFKA_BROKERS'),
    schemaRegistryUrl: reader.string('SCHEMA_REGISTRY_URL'),
    topicPartitions: reader.integer('TOPIC_PARTITIONS', 6, { min: 1, max: 1024 }),
    httpPort: reader.integer('ACTIONS_HTTP_PORT', 8088, { min: 0, max: 65535 }),
    groupId: reader.string('ACTIONS_GROUP_ID', 'soc-actions'),
    incidentsTopic: reader.string('ACTIONS_INCIDENTS_TOPIC', TOPICS.incidents),
    deadLetterTopic: reader.string('ACTIONS_DLQ_TOPIC', 'soc.actions.v1.dlq'),
    startFrom: startFromOf(reader.string('ACTIONS_START_FROM', 'latest')),
    retry: {
      maxAttempts: reader.integer('ACTIONS_MAX_ATTEMPTS', 8, { min: 1, max: 100 }),
      initialDelayMs: reader.durationMs('ACTIONS_RETRY_INITIAL', 500),
      maxDelayMs: reader.durationMs('ACTIONS_RETRY_MAX', 60_000),
    },
  };
  reader.done();
  return { ...config, routing: readRoutingFile(routingFile, env) };
}

function startFromOf(value: string): 'earliest' | 'latest' {
  if (value === 'earliest' || value === 'latest') return value;
  throw new Error(`ACTIONS_START_FROM: expected earliest or latest, got '${value}'`);
}

function readRoutingFile(path: string, env: NodeJS.ProcessEnv): Routing {
  const source = `ACTIONS_CONFIG_FILE (${path})`;
  let text: string;
  try {
    const bytes = readFileSync(path);
    if (bytes.length > MAX_ROUTING_FILE_BYTES)
      throw new Error(`larger than ${MAX_ROUTING_FILE_BYTES} bytes`);
    text = bytes.toString('utf8');
  } catch (error) {
    throw new RoutingConfigError(source, [
      `cannot read: ${error instanceof Error ? error.message : String(error)}`,
    ]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new RoutingConfigError(source, [
      `not JSON: ${error instanceof Error ? error.message : String(error)}`,
    ]);
  }
  return parseRouting(raw, { source, env });
}
