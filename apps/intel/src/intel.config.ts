import { readFileSync } from 'node:fs';
import { EnvReader, readInfraConfig, type InfraConfig } from '@soc/config';
import { TOPICS } from '@soc/contracts';
import { IntelSettings, parseFeedSpec, type FeedSource } from '@soc/intel';

export interface IntelConfig {
  readonly infra: InfraConfig;
  readonly httpPort: number;
  readonly groupId: string;
  readonly topics: { readonly alerts: string; readonly intel: string };
  readonly migrate: boolean;
  readonly settings: IntelSettings;
  readonly feeds: readonly FeedSource[];
  readonly feedRefreshMs: number;
  readonly feedMaxBytes: number;
  readonly providers: {
    readonly virusTotalBaseUrl: string;
    readonly abuseIpdbBaseUrl: string;
    readonly timeoutMs: number;
  };
  readonly lookupIntervalMs: number;
  readonly lookupBatch: number;
  readonly retryBaseMs: number;
}

function readSettings(file: string, env: NodeJS.ProcessEnv): IntelSettings {
  const json: unknown = file ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const parsed = IntelSettings.parse(json, env);
  if (!parsed.ok) {
    throw new Error(
      `invalid intel config${file ? ` in ${file}` : ''}:\n  ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('\n  ')}`,
    );
  }
  return parsed.settings;
}

function readFeeds(specs: string): FeedSource[] {
  const sources = specs
    .split(';')
    .map((spec) => spec.trim())
    .filter(Boolean)
    .map(parseFeedSpec);
  const problems = sources.filter((source): source is string => typeof source === 'string');
  if (problems.length > 0) throw new Error(`INTEL_FEEDS: ${problems.join('; ')}`);
  return sources as FeedSource[];
}

/** Read once at boot; every problem is reported at once (see EnvReader). */
export function readIntelConfig(env: NodeJS.ProcessEnv = process.env): IntelConfig {
  const reader = new EnvReader(env);
  const config = {
    infra: readInfraConfig(reader, 'intel'),
    httpPort: reader.integer('INTEL_HTTP_PORT', 8085, { min: 0, max: 65535 }),
    groupId: reader.string('INTEL_GROUP_ID', 'soc-intel'),
    topics: {
      alerts: reader.string('ALERTS_TOPIC', TOPICS.alerts),
      intel: reader.string('INTEL_TOPIC', TOPICS.intel),
    },
    migrate: reader.string('DB_MIGRATE', 'true') === 'true',
    settingsFile: reader.string('INTEL_CONFIG_FILE', ''),
    feedSpecs: reader.string('INTEL_FEEDS', ''),
    feedRefreshMs: reader.durationMs('INTEL_FEED_REFRESH', 3_600_000),
    feedMaxBytes: reader.integer('INTEL_FEED_MAX_BYTES', 64 * 1024 * 1024, { min: 1024 }),
    providers: {
      virusTotalBaseUrl: reader.string('VIRUSTOTAL_BASE_URL', 'https://www.virustotal.com'),
      abuseIpdbBaseUrl: reader.string('ABUSEIPDB_BASE_URL', 'https://api.abuseipdb.com'),
      timeoutMs: reader.durationMs('INTEL_PROVIDER_TIMEOUT', 5_000),
    },
    lookupIntervalMs: reader.durationMs('INTEL_LOOKUP_INTERVAL', 1_000),
    lookupBatch: reader.integer('INTEL_LOOKUP_BATCH', 16, { min: 1, max: 1000 }),
    retryBaseMs: reader.durationMs('INTEL_RETRY_BASE', 30_000),
  };
  reader.done();
  const { settingsFile, feedSpecs, ...rest } = config;
  return { ...rest, settings: readSettings(settingsFile, env), feeds: readFeeds(feedSpecs) };
}
