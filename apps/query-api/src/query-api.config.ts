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
}

export function readQueryApiConfig(env: NodeJS.ProcessEnv = process.env): QueryApiConfig {
  const reader = new EnvReader(env);
  const jwksUrl = reader.string('OIDC_JWKS_URL', '');
  const config: QueryApiConfig = {
    infra: readInfraConfig(reader),
    httpPort: reader.integer('QUERY_API_HTTP_PORT', 8083, { min: 0, max: 65535 }),
    feedbackTopic: reader.string('FEEDBACK_TOPIC', TOPICS.feedback),
    feedbackEncoding: reader.string('FEEDBACK_ENCODING', 'avro') === 'json' ? 'json' : 'avro',
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
  };
  reader.done();
  return config;
}
