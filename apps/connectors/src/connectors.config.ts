import { readFileSync } from 'node:fs';
import { ConfigError, EnvReader } from '@soc/config';
import { TOPICS } from '@soc/contracts';
import {
  connectorKey,
  parseConnectorEntry,
  type ConnectorDefinition,
} from './connector-definition';

export type { ConnectorDefinition } from './connector-definition';

export interface ConnectorsConfig {
  readonly kafkaBrokers: readonly string[];
  readonly schemaRegistryUrl: string;
  readonly httpPort: number;
  /** Partitions of the raw topics, when the connectors create them (as ingest does). */
  readonly topicPartitions: number;
  readonly rawTopicPrefix: string;
  readonly checkpointTopic: string;
  /** The tenants' configurations, whose `connectors` are run beside (and over) the file's. */
  readonly tenantConfigTopic: string;
  readonly transactionalIdPrefix: string;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  /** CONNECTORS_CONFIG_FILE's connectors; none without the file. */
  readonly fileConnectors: readonly ConnectorDefinition[];
}

export function readConnectorsConfig(env: NodeJS.ProcessEnv = process.env): ConnectorsConfig {
  const reader = new EnvReader(env);
  const file = reader.string('CONNECTORS_CONFIG_FILE', '');
  const config = {
    kafkaBrokers: reader.list('KAFKA_BROKERS'),
    schemaRegistryUrl: reader.string('SCHEMA_REGISTRY_URL'),
    httpPort: reader.integer('CONNECTORS_HTTP_PORT', 8087, { min: 1, max: 65_535 }),
    topicPartitions: reader.integer('TOPIC_PARTITIONS', 6, { min: 1, max: 1024 }),
    rawTopicPrefix: reader.string('CONNECTORS_RAW_TOPIC_PREFIX', 'soc.raw.'),
    checkpointTopic: reader.string('CONNECTORS_CHECKPOINT_TOPIC', 'soc.connectors.checkpoints'),
    tenantConfigTopic: reader.string('TENANT_CONFIG_TOPIC', TOPICS.tenantConfig),
    transactionalIdPrefix: reader.string('CONNECTORS_TRANSACTIONAL_ID_PREFIX', 'soc-connector'),
    backoff: {
      initialMs: reader.durationMs('CONNECTORS_BACKOFF_INITIAL', 1_000),
      maxMs: reader.durationMs('CONNECTORS_BACKOFF_MAX', 300_000),
    },
  };
  reader.done();
  return { ...config, fileConnectors: file === '' ? [] : readConnectorsFile(file, env) };
}

function readConnectorsFile(file: string, env: NodeJS.ProcessEnv): ConnectorDefinition[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([
      `CONNECTORS_CONFIG_FILE: cannot read ${file}: ${(error as Error).message}`,
    ]);
  }
  return parseConnectorsFile(text, env);
}

/**
 * The connectors file: `{"connectors": [{id, tenant, type, ...}]}`. A secret (`token`,
 * `apiKey`, `password`, `clientSecret`) is either written inline or `{"env": "NAME"}`, read
 * from that variable, so the file itself can be committed without credentials. Every problem
 * is collected before failing, and none of them quotes a secret.
 */
export function parseConnectorsFile(text: string, env: NodeJS.ProcessEnv): ConnectorDefinition[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError([`connectors file: invalid JSON (${(error as Error).message})`]);
  }
  const list = (parsed as { connectors?: unknown } | null)?.connectors;
  if (!Array.isArray(list))
    throw new ConfigError(['connectors file: expected {"connectors": [...]}']);
  const problems: string[] = [];
  const definitions = list.flatMap((entry, index) => {
    const result = parseConnectorEntry(entry, { path: `connectors[${index}]`, env });
    if (result.ok) return [result.definition];
    problems.push(...result.problems);
    return [];
  });
  const keys = definitions.map(connectorKey);
  for (const key of keys.filter((key, i) => keys.indexOf(key) !== i))
    problems.push(
      `connectors: '${key}' is used twice (a tenant's connector ids name checkpoints and transactions)`,
    );
  if (problems.length > 0) throw new ConfigError(problems);
  return definitions;
}
