import { readFileSync } from 'node:fs';
import { ConfigError, EnvReader, parseDurationMs } from '@soc/config';
import type { ElasticSettings } from './elastic/elastic-source';
import type { GraphSettings } from './graph/graph-source';
import type { SplunkSettings } from './splunk/splunk-source';
import type { CursorPolicy } from './time-cursor';

export type ConnectorDefinition = {
  readonly id: string;
  readonly tenantId: string;
  readonly intervalMs: number;
} & (
  | { readonly type: 'splunk'; readonly settings: SplunkSettings }
  | { readonly type: 'elastic'; readonly settings: ElasticSettings }
  | { readonly type: 'ms-graph'; readonly settings: GraphSettings }
);

export interface ConnectorsConfig {
  readonly kafkaBrokers: readonly string[];
  readonly httpPort: number;
  /** Partitions of the raw topics, when the connectors create them (as ingest does). */
  readonly topicPartitions: number;
  readonly rawTopicPrefix: string;
  readonly checkpointTopic: string;
  readonly transactionalIdPrefix: string;
  readonly backoff: { readonly initialMs: number; readonly maxMs: number };
  readonly connectors: readonly ConnectorDefinition[];
}

export function readConnectorsConfig(env: NodeJS.ProcessEnv = process.env): ConnectorsConfig {
  const reader = new EnvReader(env);
  const file = reader.string('CONNECTORS_CONFIG_FILE');
  const config = {
    kafkaBrokers: reader.list('KAFKA_BROKERS'),
    httpPort: reader.integer('CONNECTORS_HTTP_PORT', 8087, { min: 1, max: 65_535 }),
    topicPartitions: reader.integer('TOPIC_PARTITIONS', 6, { min: 1, max: 1024 }),
    rawTopicPrefix: reader.string('CONNECTORS_RAW_TOPIC_PREFIX', 'soc.raw.'),
    checkpointTopic: reader.string('CONNECTORS_CHECKPOINT_TOPIC', 'soc.connectors.checkpoints'),
    transactionalIdPrefix: reader.string('CONNECTORS_TRANSACTIONAL_ID_PREFIX', 'soc-connector'),
    backoff: {
      initialMs: reader.durationMs('CONNECTORS_BACKOFF_INITIAL', 1_000),
      maxMs: reader.durationMs('CONNECTORS_BACKOFF_MAX', 300_000),
    },
  };
  reader.done();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([
      `CONNECTORS_CONFIG_FILE: cannot read ${file}: ${(error as Error).message}`,
    ]);
  }
  return { ...config, connectors: parseConnectorsFile(text, env) };
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
    const field = new FieldReader(entry, `connectors[${index}]`, env, problems);
    const definition = connectorOf(field);
    return definition === undefined ? [] : [definition];
  });
  const ids = definitions.map((d) => d.id);
  for (const id of ids.filter((id, i) => ids.indexOf(id) !== i))
    problems.push(`connectors: id '${id}' is used twice (ids name checkpoints and transactions)`);
  if (problems.length > 0) throw new ConfigError(problems);
  return definitions;
}

function connectorOf(field: FieldReader): ConnectorDefinition | undefined {
  const id = field.string('id');
  const tenantId = field.string('tenant');
  const type = field.string('type');
  const intervalMs = field.duration('interval', 60_000);
  if (id !== undefined && !/^[a-zA-Z0-9._-]{1,100}$/.test(id))
    field.problem('id', 'letters, digits, ".", "_" and "-" only (it names a transactional id)');
  const common = {
    timeoutMs: field.duration('timeout', 30_000),
    maxResponseBytes: field.integer('maxResponseBytes', 32 * 1024 * 1024),
  };
  const cursor: CursorPolicy = {
    overlapMs: field.duration('overlap', 300_000),
    maxSeen: field.integer('maxSeen', 10_000),
  };
  const initialLookbackMs = field.duration('initialLookback', 3_600_000);
  if (id === undefined || tenantId === undefined) return undefined;
  const base = { id, tenantId, intervalMs };
  switch (type) {
    case 'splunk': {
      const search = field.optionalString('search');
      const savedSearch = field.optionalString('savedSearch');
      if ((search === undefined) === (savedSearch === undefined))
        field.problem('search', 'give either search or savedSearch');
      const settings: SplunkSettings = {
        baseUrl: field.url('baseUrl'),
        ...(search === undefined ? {} : { search }),
        ...(savedSearch === undefined ? {} : { savedSearch }),
        authorization: field.authorization('Bearer', 'token'),
        cursor,
        lagMs: field.duration('lag', 30_000),
        maxWindowMs: field.duration('maxWindow', 3_600_000),
        initialLookbackMs,
        ...common,
      };
      return { ...base, type, settings };
    }
    case 'elastic':
      return {
        ...base,
        type,
        settings: {
          baseUrl: field.url('baseUrl'),
          index: field.optionalString('index') ?? '.alerts-security.alerts-*',
          authorization: field.authorization('ApiKey', 'apiKey'),
          pageSize: field.integer('pageSize', 500),
          keepAlive: field.optionalString('keepAlive') ?? '1m',
          cursor,
          initialLookbackMs,
          ...common,
        },
      };
    case 'ms-graph':
      return {
        ...base,
        type,
        settings: {
          tokenUrl: field.url('tokenUrl'),
          graphUrl: field.optionalString('graphUrl') ?? 'https://graph.microsoft.com',
          clientId: field.string('clientId') ?? '',
          clientSecret: field.secret('clientSecret') ?? '',
          scope: field.optionalString('scope') ?? 'https://graph.microsoft.com/.default',
          pageSize: field.integer('pageSize', 100),
          cursor,
          initialLookbackMs,
          ...common,
        },
      };
    default:
      field.problem('type', "expected 'splunk', 'elastic' or 'ms-graph'");
      return undefined;
  }
}

/** Reads one connector entry's fields, recording problems by path. */
class FieldReader {
  private readonly entry: Record<string, unknown>;

  constructor(
    entry: unknown,
    private readonly path: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly problems: string[],
  ) {
    this.entry =
      typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {};
    if (this.entry !== entry) this.problem('', 'expected an object');
  }

  problem(name: string, reason: string): void {
    this.problems.push(`${this.path}${name ? `.${name}` : ''}: ${reason}`);
  }

  optionalString(name: string): string | undefined {
    const value = this.entry[name];
    if (value === undefined) return undefined;
    if (typeof value === 'string' && value.trim().length > 0) return value.trim();
    this.problem(name, 'expected a non-empty string');
    return undefined;
  }

  string(name: string): string | undefined {
    const value = this.optionalString(name);
    if (value === undefined && this.entry[name] === undefined) this.problem(name, 'required');
    return value;
  }

  url(name: string): string {
    const value = this.string(name) ?? '';
    if (value && !/^https?:\/\/[^/]+/.test(value)) this.problem(name, 'expected an http(s) URL');
    return value.replace(/\/+$/, '');
  }

  integer(name: string, fallback: number): number {
    const value = this.entry[name];
    if (value === undefined) return fallback;
    if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
    this.problem(name, 'expected a positive integer');
    return fallback;
  }

  duration(name: string, fallback: number): number {
    const value = this.entry[name];
    if (value === undefined) return fallback;
    const ms = typeof value === 'string' ? parseDurationMs(value) : undefined;
    if (ms !== undefined && ms > 0) return ms;
    this.problem(name, 'expected a duration such as 500ms, 30s, 5m, 1h');
    return fallback;
  }

  /** A secret written inline or `{"env": "NAME"}`; never echoed into a problem. */
  secret(name: string): string | undefined {
    const value = this.entry[name];
    if (typeof value === 'string' && value.length > 0) return value;
    const variable = (value as { env?: unknown } | null | undefined)?.env;
    if (typeof variable === 'string') {
      const fromEnv = this.env[variable];
      if (fromEnv) return fromEnv;
      this.problem(name, `environment variable ${variable} is not set`);
      return undefined;
    }
    if (value !== undefined) this.problem(name, 'expected a string or {"env": "NAME"}');
    return undefined;
  }

  /** `<scheme> <secret>` from a token-like field, or Basic from `username` and `password`. */
  authorization(scheme: 'Bearer' | 'ApiKey', tokenField: string): string {
    const token = this.secret(tokenField);
    if (token !== undefined) return `${scheme} ${token}`;
    const username = this.optionalString('username');
    const password = this.secret('password');
    if (username !== undefined && password !== undefined)
      return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    this.problem(tokenField, `required (or username and password)`);
    return '';
  }
}
