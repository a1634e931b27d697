import { ALERT_FORMATS } from '@soc/contracts';
import { rawTenantSource, rawTopicName, readIngestConfig } from './ingest.config';

const infra = {
  KAFKA_BROKERS: 'kafka:9092',
  SCHEMA_REGISTRY_URL: 'http://registry:8081',
  DATABASE_URL: 'postgres://soc@db/soc',
};

describe('readIngestConfig', () => {
  it('consumes every raw topic under the contract names and the production group by default', () => {
    const config = readIngestConfig(infra);
    expect(config.rawFormats).toEqual(ALERT_FORMATS);
    expect(config.rawGroupId).toBe('soc-ingest-raw');
    expect(rawTopicName(config, 'cef')).toBe('soc.raw.cef');
  });

  it('maps raw topics to tenants and trusts no producer to name one unless told to', () => {
    const strict = readIngestConfig({
      ...infra,
      INGEST_RAW_TENANT_BY_TOPIC: 'soc.raw.cef=acme, soc.raw.leef = globex',
    });
    expect(rawTenantSource(strict, 'soc.raw.leef')).toEqual({ mapped: 'globex', trusted: false });
    expect(rawTenantSource(strict, 'soc.raw.splunk')).toEqual({
      mapped: undefined,
      trusted: false,
    });
    const connectors = readIngestConfig({ ...infra, INGEST_RAW_TRUSTED_TOPICS: 'soc.raw.splunk' });
    expect(rawTenantSource(connectors, 'soc.raw.splunk').trusted).toBe(true);
    expect(rawTenantSource(connectors, 'soc.raw.cef').trusted).toBe(false);
    expect(() => readIngestConfig({ ...infra, INGEST_RAW_TENANT_BY_TOPIC: 'soc.raw.cef' })).toThrow(
      "INGEST_RAW_TENANT_BY_TOPIC: expected topic=tenant, got 'soc.raw.cef'",
    );
  });

  it('turns the raw consumer off when INGEST_RAW_FORMATS is set but empty', () => {
    expect(readIngestConfig({ ...infra, INGEST_RAW_FORMATS: '' }).rawFormats).toEqual([]);
  });

  it('reads its own raw topics and group when told to', () => {
    const config = readIngestConfig({
      ...infra,
      INGEST_RAW_FORMATS: 'cef, leef',
      INGEST_RAW_GROUP_ID: 'ingest-staging',
      INGEST_RAW_TOPIC_PREFIX: 'staging.raw.',
    });
    expect(config.rawFormats).toEqual(['cef', 'leef']);
    expect(config.rawGroupId).toBe('ingest-staging');
    expect(rawTopicName(config, 'leef')).toBe('staging.raw.leef');
  });

  it('bounds the re-delivery memory and the wait for Kafka, by default and when told to', () => {
    expect(readIngestConfig(infra)).toMatchObject({
      redeliveryMaxBytes: 64 * 1024 * 1024,
      publishTimeoutMs: 5_000,
    });
    const tuned = readIngestConfig({
      ...infra,
      INGEST_REDELIVERY_MAX_BYTES: String(8 << 20),
      INGEST_PUBLISH_TIMEOUT: '2s',
    });
    expect(tuned).toMatchObject({ redeliveryMaxBytes: 8 << 20, publishTimeoutMs: 2_000 });
    expect(() => readIngestConfig({ ...infra, INGEST_REDELIVERY_MAX_BYTES: '1000' })).toThrow(
      /INGEST_REDELIVERY_MAX_BYTES/,
    );
  });

  it('names unknown raw formats', () => {
    expect(() => readIngestConfig({ ...infra, INGEST_RAW_FORMATS: 'cef,syslog' })).toThrow(
      /unknown formats syslog/,
    );
  });
});
