import { EnvReader, readInfraConfig, type InfraConfig } from '@soc/config';
import { ALERT_FORMATS, rawTopic, type AlertFormat } from '@soc/contracts';
import type { RawTenantSource } from './raw/raw-record';
import type { SyslogOptions } from './syslog/syslog.server';
import { parseSenderTenants, type SenderTenantRule } from './syslog/syslog-tenants';

export interface IngestConfig {
  readonly infra: InfraConfig;
  readonly httpPort: number;
  readonly maxBodyBytes: number;
  readonly maxBatchItems: number;
  readonly redeliveryHorizonMs: number;
  /** The re-delivery memory's bound in bytes (each of its filters: see AlertLogTail). */
  readonly redeliveryMaxBytes: number;
  /** How long an HTTP or syslog batch waits for Kafka before it is answered 503. */
  readonly publishTimeoutMs: number;
  /** Verified API keys: re-checked after `cacheMs`; trusted for `outageGraceMs` while the database is down. */
  readonly apiKeys: { readonly cacheMs: number; readonly outageGraceMs: number };
  /**
   * Syslog listeners, on when a tenant is configured: syslog carries no credentials, so each
   * sender's tenant comes from SYSLOG_TENANT_BY_SENDER, else the listeners' SYSLOG_TENANT_ID.
   */
  readonly syslog:
    | (SyslogOptions & {
        readonly tenantId: string | null;
        readonly tenantBySender: readonly SenderTenantRule[];
      })
    | null;
  /** Raw SIEM topics consumed (`soc.raw.<format>`); empty turns the consumer off. */
  readonly rawFormats: readonly AlertFormat[];
  /**
   * Consumer group of the raw topics, also the prefix of their transactional ids: instances
   * sharing it split the partitions; a separate deployment (or a test) needs its own.
   */
  readonly rawGroupId: string;
  /**
   * Replaces `soc.raw.` in the raw topic names, for a deployment (or a test) that must not read
   * the raw topics another one on the same cluster reads; null keeps the contract's names.
   */
  readonly rawTopicPrefix: string | null;
  readonly maxRawRecordBytes: number;
  /** Raw topic -> the tenant of every record on it (`INGEST_RAW_TENANT_BY_TOPIC`). */
  readonly rawTenantByTopic: ReadonlyMap<string, string>;
  /**
   * Raw topics whose producers are trusted to name the tenant in `x-tenant-id` (or the key):
   * the project's own connectors; `*` trusts every raw topic.
   */
  readonly rawTrustedTopics: readonly string[];
}

/** The raw topic ingest consumes for a format. */
export function rawTopicName(
  config: Pick<IngestConfig, 'rawTopicPrefix'>,
  format: AlertFormat,
): string {
  return config.rawTopicPrefix === null ? rawTopic(format) : `${config.rawTopicPrefix}${format}`;
}

/** `topic=tenant` pairs; a malformed pair stops the service at start-up. */
function tenantByTopic(pairs: readonly string[]): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  for (const pair of pairs) {
    const at = pair.lastIndexOf('=');
    const topic = pair.slice(0, at).trim();
    const tenant = pair.slice(at + 1).trim();
    if (at < 0 || !topic || !tenant)
      throw new Error(`INGEST_RAW_TENANT_BY_TOPIC: expected topic=tenant, got '${pair}'`);
    map.set(topic, tenant);
  }
  return map;
}

/** Where a raw topic's records get their tenant under the configuration. */
export function rawTenantSource(
  config: Pick<IngestConfig, 'rawTenantByTopic' | 'rawTrustedTopics'>,
  topic: string,
): RawTenantSource {
  return {
    mapped: config.rawTenantByTopic.get(topic),
    trusted: config.rawTrustedTopics.includes('*') || config.rawTrustedTopics.includes(topic),
  };
}

export function readIngestConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  const reader = new EnvReader(env);
  // Unset means every format; set but empty turns the raw consumer off (the reader's fallback
  // would otherwise apply to the empty value too).
  const rawFormats =
    env.INGEST_RAW_FORMATS === undefined
      ? [...ALERT_FORMATS]
      : reader.list('INGEST_RAW_FORMATS', '');
  const unknownFormats = rawFormats.filter(
    (f) => !(ALERT_FORMATS as readonly string[]).includes(f),
  );
  const config: IngestConfig = {
    infra: readInfraConfig(reader, 'ingest'),
    httpPort: reader.integer('INGEST_HTTP_PORT', 8080, { min: 0, max: 65535 }),
    maxBodyBytes: reader.integer('INGEST_MAX_BODY_BYTES', 5 * 1024 * 1024, { min: 1024 }),
    maxBatchItems: reader.integer('INGEST_MAX_BATCH_ITEMS', 5_000, { min: 1 }),
    redeliveryHorizonMs: reader.durationMs('INGEST_REDELIVERY_HORIZON', 24 * 3_600_000),
    redeliveryMaxBytes: reader.integer('INGEST_REDELIVERY_MAX_BYTES', 64 * 1024 * 1024, {
      min: 1 << 20,
    }),
    publishTimeoutMs: reader.durationMs('INGEST_PUBLISH_TIMEOUT', 5_000),
    apiKeys: {
      cacheMs: reader.durationMs('API_KEY_CACHE', 30_000),
      outageGraceMs: reader.durationMs('API_KEY_OUTAGE_GRACE', 3_600_000),
    },
    syslog: readSyslogConfig(reader),
    rawFormats: rawFormats.filter((f): f is AlertFormat => !unknownFormats.includes(f)),
    rawGroupId: reader.string('INGEST_RAW_GROUP_ID', 'soc-ingest-raw'),
    rawTopicPrefix: reader.string('INGEST_RAW_TOPIC_PREFIX', '') || null,
    maxRawRecordBytes: reader.integer('INGEST_MAX_RAW_RECORD_BYTES', 1024 * 1024, { min: 1024 }),
    rawTenantByTopic: tenantByTopic(reader.list('INGEST_RAW_TENANT_BY_TOPIC', '')),
    rawTrustedTopics: reader.list('INGEST_RAW_TRUSTED_TOPICS', ''),
  };
  if (unknownFormats.length > 0) {
    throw new Error(
      `INGEST_RAW_FORMATS: unknown formats ${unknownFormats.join(', ')}; known: ${ALERT_FORMATS.join(', ')}`,
    );
  }
  reader.done();
  return config;
}

function readSyslogConfig(reader: EnvReader): IngestConfig['syslog'] {
  const tenantId = reader.string('SYSLOG_TENANT_ID', '') || null;
  const tenantBySender = parseSenderTenants(reader.string('SYSLOG_TENANT_BY_SENDER', ''));
  const port = (name: string, fallback: number) =>
    reader.integer(name, fallback, { min: 0, max: 65535 });
  const certFile = reader.string('SYSLOG_TLS_CERT_FILE', '');
  const keyFile = reader.string('SYSLOG_TLS_KEY_FILE', '');
  const tlsPort = port('SYSLOG_TLS_PORT', 6514);
  if ((certFile === '') !== (keyFile === ''))
    throw new Error('SYSLOG_TLS_CERT_FILE and SYSLOG_TLS_KEY_FILE: set both, or neither');
  const options: SyslogOptions = {
    tcpPort: port('SYSLOG_TCP_PORT', 5514),
    udpPort: port('SYSLOG_UDP_PORT', 5514),
    tls: certFile ? { port: tlsPort, certFile, keyFile } : null,
    maxConnections: reader.integer('SYSLOG_MAX_CONNECTIONS', 1_000, { min: 1 }),
    idleTimeoutMs: reader.durationMs('SYSLOG_IDLE_TIMEOUT', 300_000),
    maxQueueBytes: reader.integer('SYSLOG_MAX_QUEUE_BYTES', 32 * 1024 * 1024, { min: 1 << 20 }),
    maxFrameBytes: reader.integer('SYSLOG_MAX_FRAME_BYTES', 64 * 1024, { min: 1024, max: 1 << 20 }),
  };
  return tenantId === null && tenantBySender.length === 0
    ? null
    : { ...options, tenantId, tenantBySender };
}
