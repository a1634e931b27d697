import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readIntelConfig } from './intel.config';

const infra = {
  KAFKA_BROKERS: 'k:9092',
  SCHEMA_REGISTRY_URL: 'http://r',
  DATABASE_URL: 'postgres://db/x',
};
const settingsFile = (content: unknown): string => {
  const path = join(mkdtempSync(join(tmpdir(), 'soc-intel-config-')), 'intel.json');
  writeFileSync(path, JSON.stringify(content));
  return path;
};

describe('intel config', () => {
  it('reads defaults, feeds and the per-tenant settings', () => {
    const config = readIntelConfig({
      ...infra,
      INTEL_FEEDS: 'feodo=plain:/feeds/ipblocklist.csv#dst_ip,malware; stix:/feeds/bundle.json',
      ABUSEIPDB_API_KEY: 'k',
    });
    expect(config).toMatchObject({
      httpPort: 8085,
      groupId: 'soc-intel',
      topics: { alerts: 'soc.alerts.v1', intel: 'soc.intel.v1' },
      providers: { timeoutMs: 5_000 },
      retryBaseMs: 30_000,
    });
    expect(config.feeds.map((feed) => [feed.name, feed.format])).toEqual([
      ['feodo', 'plain'],
      ['bundle', 'stix'],
    ]);
    expect(config.settings.forTenant('any').providers.map((p) => p.provider)).toEqual([
      'abuseipdb',
    ]);
  });

  it('names the bad fields of the settings file', () => {
    const file = settingsFile({ tenants: { acme: { keys: { virustotal: 'plain-secret' } } } });
    expect(() => readIntelConfig({ ...infra, INTEL_CONFIG_FILE: file })).toThrow(
      /tenants\.acme\.keys\.virustotal: must be a reference env:VARIABLE/,
    );
  });

  it('refuses a feed without a location and a malformed duration', () => {
    expect(() => readIntelConfig({ ...infra, INTEL_FEEDS: 'x=stix:' })).toThrow(
      /INTEL_FEEDS: feed 'x=stix:' names no file or URL/,
    );
    expect(() => readIntelConfig({ ...infra, INTEL_PROVIDER_TIMEOUT: 'soon' })).toThrow(
      /INTEL_PROVIDER_TIMEOUT/,
    );
  });
});
