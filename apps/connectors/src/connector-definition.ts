import type { ElasticSettings } from './elastic/elastic-source';
import type { GraphSettings } from './graph/graph-source';
import type { SplunkSettings } from './splunk/splunk-source';
import type { CursorPolicy } from './time-cursor';
import { FieldReader } from './connector-fields';

export type ConnectorDefinition = {
  readonly id: string;
  readonly tenantId: string;
  readonly intervalMs: number;
} & (
  | { readonly type: 'splunk'; readonly settings: SplunkSettings }
  | { readonly type: 'elastic'; readonly settings: ElasticSettings }
  | { readonly type: 'ms-graph'; readonly settings: GraphSettings }
);

/**
 * What names a connector's checkpoint, transactional id and metrics: its id within its
 * tenant (ids are unique per tenant, in the file as in each tenant's configuration).
 */
export const connectorKey = ({ tenantId, id }: { tenantId: string; id: string }): string =>
  `${tenantId}/${id}`;

export type ConnectorEntryResult =
  | { readonly ok: true; readonly definition: ConnectorDefinition }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * One connector object (`{id, tenant, type, ...}`, the form of CONNECTORS_CONFIG_FILE and of a
 * tenant configuration's `connectors`), its secrets resolved from `env`. Every problem is
 * named by `path` and field, and none of them quotes a secret.
 */
export function parseConnectorEntry(
  entry: unknown,
  { path, env }: { readonly path: string; readonly env: NodeJS.ProcessEnv },
): ConnectorEntryResult {
  const problems: string[] = [];
  const definition = connectorOf(new FieldReader(entry, path, env, problems));
  if (definition === undefined || problems.length > 0) return { ok: false, problems };
  return { ok: true, definition };
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
