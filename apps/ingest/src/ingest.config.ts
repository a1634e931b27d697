import { EnvReader, readInfraConfig, type InfraConfig } from '@soc/config';
import { ALERT_FORMATS, type AlertFormat } from '@soc/contracts';

export interface IngestConfig {
  readonly infra: InfraConfig;
  readonly httpPort: number;
  readonly maxBodyBytes: number;
  readonly maxBatchItems: number;
  readonly redeliveryHorizonMs: number;
  /** Syslog listeners; the tenant of a listener is configured, since syslog carries none. */
  readonly syslog: { readonly tcpPort: number; readonly udpPort: number; readonly tenantId: string } | null;
  /** Raw SIEM topics consumed (`soc.raw.<format>`); empty turns the consumer off. */
  readonly rawFormats: readonly AlertFormat[];
  readonly maxRawRecordBytes: number;
}

export function readIngestConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  const reader = new EnvReader(env);
  const syslogTenant = reader.string('SYSLOG_TENANT_ID', '');
  const rawFormats = reader.list('INGEST_RAW_FORMATS', ALERT_FORMATS.join(','));
  const unknownFormats = rawFormats.filter((f) => !(ALERT_FORMATS as readonly string[]).includes(f));
  const config: IngestConfig = {
    infra: readInfraConfig(reader),
    httpPort: reader.integer('INGEST_HTTP_PORT', 8080, { min: 0, max: 65535 }),
    maxBodyBytes: reader.integer('INGEST_MAX_BODY_BYTES', 5 * 1024 * 1024, { min: 1024 }),
    maxBatchItems: reader.integer('INGEST_MAX_BATCH_ITEMS', 5_000, { min: 1 }),
    redeliveryHorizonMs: reader.durationMs('INGEST_REDELIVERY_HORIZON', 24 * 3_600_000),
    syslog: syslogTenant
      ? {
          tenantId: syslogTenant,
          tcpPort: reader.integer('SYSLOG_TCP_PORT', 6514, { min: 0, max: 65535 }),
          udpPort: reader.integer('SYSLOG_UDP_PORT', 5514, { min: 0, max: 65535 }),
        }
      : null,
    rawFormats: rawFormats.filter((f): f is AlertFormat => !unknownFormats.includes(f)),
    maxRawRecordBytes: reader.integer('INGEST_MAX_RAW_RECORD_BYTES', 1024 * 1024, { min: 1024 }),
  };
  if (unknownFormats.length > 0) {
    throw new Error(`INGEST_RAW_FORMATS: unknown formats ${unknownFormats.join(', ')}; known: ${ALERT_FORMATS.join(', ')}`);
  }
  reader.done();
  return config;
}
