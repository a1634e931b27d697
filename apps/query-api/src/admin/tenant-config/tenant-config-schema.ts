import { Type, type TSchema } from '@sinclair/typebox';
import { ENTITY_TYPES, SCORE_FACTOR_NAMES } from '@soc/contracts';
import { MAX_REJECTED_PROPOSALS, MAX_TENANT_CONNECTORS } from '@soc/domain';

/**
 * The JSON Schema (TypeBox) of the tenant configuration: the shape the admin endpoints check
 * first and the OpenAPI document shows. The domain's parseTenantConfig then checks what a
 * shape cannot say (cross-field rules, weights summing to 1, secrets as references), with the
 * same field paths.
 */
const ms = (description: string) =>
  Type.Integer({ minimum: 0, description: `${description} (milliseconds)` });
const texts = (description: string) =>
  Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), { maxItems: 1000, description });
const entityType = Type.Union(ENTITY_TYPES.map((type) => Type.Literal(type)));

const Suppression = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 200 }),
    reason: Type.String({ minLength: 1, maxLength: 2000, description: 'analysts read it' }),
    ruleIds: Type.Optional(Type.Union([texts('rule ids, any matches'), Type.Null()])),
    ruleNames: Type.Optional(Type.Union([texts('rule names, `*` wildcards'), Type.Null()])),
    entities: Type.Optional(
      Type.Union([
        Type.Array(
          Type.Object(
            {
              type: entityType,
              value: Type.String({ minLength: 1, maxLength: 1024, description: '`*` wildcards' }),
            },
            { additionalProperties: false },
          ),
          { maxItems: 100 },
        ),
        Type.Null(),
      ]),
    ),
    tactics: Type.Optional(Type.Union([texts('ATT&CK tactics, any matches'), Type.Null()])),
    until: Type.Optional(
      Type.Union([Type.Integer({ description: 'event time in epoch ms' }), Type.Null()]),
    ),
  },
  { additionalProperties: false },
);

const Correlation = Type.Object(
  {
    windowMs: Type.Optional(ms('alerts sharing an entity less than this apart join one incident')),
    maxIncidentSpanMs: Type.Optional(ms('an incident closes this long after its first alert')),
    allowedLatenessMs: Type.Optional(Type.Integer({ description: 'milliseconds' })),
    maxClockSkewMs: Type.Optional(ms('clock-skew guard')),
    revisionHorizonMs: Type.Optional(ms('how far a late alert may revise the past')),
    idleTimeoutMs: Type.Optional(ms('a quiet tenant is idle after this')),
    linkingEntityTypes: Type.Optional(
      Type.Array(entityType, { maxItems: ENTITY_TYPES.length * 2 }),
    ),
    allowlist: Type.Optional(
      Type.Object(
        {
          values: Type.Optional(Type.Record(Type.String(), texts('values that never link'))),
          cidrs: Type.Optional(texts('IPv4 networks that never link')),
          users: Type.Optional(texts('user names that never link; trailing `*` for a prefix')),
        },
        { additionalProperties: false },
      ),
    ),
    suppressions: Type.Optional(
      Type.Array(Suppression, {
        maxItems: 1000,
        description: "replaces the file's list for the tenant",
      }),
    ),
    repeats: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean()),
          routineMinRepeats: Type.Optional(Type.Integer({ minimum: 2, maximum: 1000 })),
          routineMaxCv: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
          routineMinIntervalMs: Type.Optional(Type.Integer({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
    ),
    campaign: Type.Optional(
      Type.Object(
        {
          horizonMs: Type.Optional(ms('campaign memory')),
          riskThreshold: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
          minPriority: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
          spreadWindowMs: Type.Optional(ms('how long a rule new to the tenant links its hosts')),
        },
        { additionalProperties: false },
      ),
    ),
    budgets: Type.Optional(
      Type.Object(
        {
          openIncidents: Type.Optional(Type.Integer({ minimum: 1 })),
          linkedKeys: Type.Optional(Type.Integer({ minimum: 1 })),
          trackedEntities: Type.Optional(Type.Integer({ minimum: 1 })),
          rememberedIncidents: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        { additionalProperties: false, description: 'per-tenant correlator state budgets' },
      ),
    ),
    scoring: Type.Optional(
      Type.Object(
        {
          weights: Type.Optional(
            Type.Object(
              Object.fromEntries(
                SCORE_FACTOR_NAMES.map((name) => [
                  name,
                  Type.Optional(Type.Number({ minimum: 0 })),
                ]),
              ),
              { additionalProperties: false, description: 'factor weights; all five sum to 1' },
            ),
          ),
          highPriorityThreshold: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
          defaultCriticality: Type.Optional(Type.Number({ minimum: 0 })),
          defaultConfidence: Type.Optional(Type.Number({ minimum: 0 })),
          freshnessHalfLifeMs: Type.Optional(ms('freshness half-life')),
          assets: Type.Optional(
            Type.Array(Type.Record(Type.String(), Type.Unknown()), { maxItems: 10_000 }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  {
    additionalProperties: false,
    description: "overrides the correlator's file policy for the tenant",
  },
);

const Connector = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$' }),
    type: Type.String({ minLength: 1, description: 'splunk, elastic, ms-graph, ...' }),
    tenant: Type.Optional(Type.String({ description: 'the tenant configured, if given' })),
  },
  {
    additionalProperties: true,
    description: 'a connector of CONNECTORS_CONFIG_FILE; secrets only as { "env": "NAME" }',
  },
);

export const TenantConfigSchema = Type.Object(
  {
    correlation: Type.Optional(Correlation),
    connectors: Type.Optional(Type.Array(Connector, { maxItems: MAX_TENANT_CONNECTORS })),
    rejectedProposals: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
        maxItems: MAX_REJECTED_PROPOSALS,
      }),
    ),
  },
  { additionalProperties: false },
);

export const PutTenantConfigSchema = Type.Object(
  {
    version: Type.Integer({
      minimum: 0,
      description: 'the version being replaced (0 before the first): a stale one is a 409',
    }),
    reason: Type.String({ minLength: 1, maxLength: 2000, description: 'why: kept in the audit' }),
    config: TenantConfigSchema,
  },
  { additionalProperties: false },
);

export const DecideProposalSchema = Type.Object(
  {
    version: Type.Integer({
      minimum: 0,
      description: 'the configuration version the decision is made on',
    }),
    reason: Type.String({ minLength: 1, maxLength: 2000 }),
  },
  { additionalProperties: false },
);

/** A TypeBox schema as the SchemaObject @nestjs/swagger takes (both are JSON Schema). */
export const openApiSchema = (schema: TSchema): Record<string, unknown> =>
  JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
