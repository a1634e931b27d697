import { EnvReader, readInfraConfig, type InfraConfig } from '@soc/config';
import { TOPICS } from '@soc/contracts';

export interface OidcConfig {
  readonly jwksUrl: string;
  readonly issuer: string;
  readonly audience: string;
  /** Claim naming the tenant (required in every token). */
  readonly tenantClaim: string;
  /** Claim naming the role (analyst or admin); absent means analyst. */
  readonly roleClaim: string;
}

export interface QueryApiConfig {
  readonly infra: InfraConfig;
  readonly httpPort: number;
  readonly feedbackTopic: string;
  /** Avro through the schema registry (the topic's contract); JSON only for debugging. */
  readonly feedbackEncoding: 'avro' | 'json';
  /** Where the admin endpoints write tenant configuration versions (Avro). */
  readonly tenantConfigTopic: string;
  readonly migrate: boolean;
  readonly databasePoolSize: number;
  /** Longest `?wait=true` waits for the projection before answering 202 unprojected. */
  readonly projectionWaitMs: number;
  /** Tenant whose admin keys may create tenants (the operator of the deployment). */
  readonly platformTenantId: string;
  /** An admin key for the platform tenant, installed at boot if its key id is unknown. */
  readonly bootstrapAdminKey: string | null;
  readonly apiKeyCacheMs: number;
  /** How long a verified key keeps working while PostgreSQL cannot be reached. */
  readonly apiKeyOutageGraceMs: number;
  readonly oidc: OidcConfig | null;
  readonly limits: QueryApiLimits;
}

/** Every bound the API puts on a caller (README, "Security"). */
export interface QueryApiLimits {
  /** JSON bodies; CSV asset imports may be larger. */
  readonly maxJsonBodyBytes: number;
  readonly maxCsvBodyBytes: number;
  /** Requests a second per API key (or token subject), and the burst after a quiet period. */
  readonly ratePerSecond: number;
  readonly rateBurst: number;
  /** Failed sign-ins a second per client address. */
  readonly failedAuthPerSecond: number;
  readonly sseMaxClients: number;
  readonly sseMaxPerTenant: number;
  /** A stream ends after this long; the client reconnects and is authenticated again. */
  readonly sseLifetimeMs: number;
  /** Longest wait for a pooled database connection, and for one statement. */
  readonly dbAcquireTimeoutMs: number;
  readonly dbStatementTimeoutMs: number;
}

export const DEFAULT_QUERY_API_LIMITS: QueryApiLimits = {
  maxJsonBodyBytes: 1024 * 1024,
  maxCsvBodyBytes: 20 * 1024 * 1024,
  ratePerSecond: 50,
  rateBurst: 200,
  failedAuthPerSecond: 5,
  sseMaxClients: 1_000,
  sseMaxPerTenant: 50,
  sseLifetimeMs: 15 * 60_000,
  dbAcquireTimeoutMs: 5_000,
  dbStatementTimeoutMs: 15_000,
};

function readLimits(reader: EnvReader): QueryApiLimits {
  const d = DEFAULT_QUERY_API_LIMITS;
  const count = (name: string, fallback: number) => reader.integer(name, fallback, { min: 1 });
  return {
    maxJsonBodyBytes: count('QUERY_API_MAX_BODY_BYTES', d.maxJsonBodyBytes),
    maxCsvBodyBytes: count('QUERY_API_MAX_CSV_BYTES', d.maxCsvBodyBytes),
    ratePerSecond: count('QUERY_API_RATE_LIMIT', d.ratePerSecond),
    rateBurst: count('QUERY_API_RATE_BURST', d.rateBurst),
    failedAuthPerSecond: count('QUERY_API_FAILED_AUTH_LIMIT', d.failedAuthPerSecond),
    sseMaxClients: count('QUERY_API_SSE_MAX_CLIENTS', d.sseMaxClients),
    sseMaxPerTenant: count('QUERY_API_SSE_MAX_PER_TENANT', d.sseMaxPerTenant),
    sseLifetimeMs: reader.durationMs('QUERY_API_SSE_LIFETIME', d.sseLifetimeMs),
    dbAcquireTimeoutMs: reader.durationMs('QUERY_API_DB_ACQUIRE_TIMEOUT', d.dbAcquireTimeoutMs),
    dbStatementTimeoutMs: reader.durationMs(
      'QUERY_API_DB_STATEMENT_TIMEOUT',
      d.dbStatementTimeoutMs,
    ),
  };
}

export function readQueryApiConfig(env: NodeJS.ProcessEnv = process.env): QueryApiConfig {
  const reader = new EnvReader(env);
  const jwksUrl = reader.string('OIDC_JWKS_URL', '');
  const config: QueryApiConfig = {
    infra: readInfraConfig(reader, 'query'),
    httpPort: reader.integer('QUERY_API_HTTP_PORT', 8083, { min: 0, max: 65535 }),
    feedbackTopic: reader.string('FEEDBACK_TOPIC', TOPICS.feedback),
    feedbackEncoding: reader.oneOf('FEEDBACK_ENCODING', ['avro', 'json'], 'avro'),
    tenantConfigTopic: reader.string('TENANT_CONFIG_TOPIC', TOPICS.tenantConfig),
    migrate: reader.string('DB_MIGRATE', 'true') === 'true',
    databasePoolSize: reader.integer('QUERY_API_DB_POOL', 10, { min: 1, max: 200 }),
    projectionWaitMs: reader.durationMs('QUERY_API_PROJECTION_WAIT', 10_000),
    platformTenantId: reader.string('PLATFORM_TENANT_ID', 'platform'),
    bootstrapAdminKey: reader.string('BOOTSTRAP_ADMIN_KEY', '') || null,
    apiKeyCacheMs: reader.durationMs('API_KEY_CACHE', 30_000),
    apiKeyOutageGraceMs: reader.durationMs('API_KEY_OUTAGE_GRACE', 3_600_000),
    oidc: jwksUrl
      ? {
          jwksUrl,
          issuer: reader.string('OIDC_ISSUER'),
          audience: reader.string('OIDC_AUDIENCE'),
          tenantClaim: reader.string('OIDC_TENANT_CLAIM', 'tenant_id'),
          roleClaim: reader.string('OIDC_ROLE_CLAIM', 'soc_role'),
        }
      : null,
    limits: readLimits(reader),
  };
  reader.done();
  return config;
}
