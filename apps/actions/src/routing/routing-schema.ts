import { Type, type Static } from '@sinclair/typebox';
import { INCIDENT_CHANGES } from '../notification';

/**
 * The routing file (ACTIONS_CONFIG_FILE): named destinations and, per tenant, which changes
 * from which priority go to which destination. Secrets are never in the file: `{ "env": NAME }`
 * names the environment variable that holds one.
 */
const SecretRef = Type.Object(
  { env: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }) },
  { additionalProperties: false },
);
const HttpUrl = Type.String({ pattern: '^https?://[^\\s]+$' });
const TimeoutMs = Type.Optional(Type.Integer({ minimum: 100, maximum: 120_000 }));

const Webhook = Type.Object(
  { type: Type.Literal('webhook'), url: HttpUrl, secret: SecretRef, timeoutMs: TimeoutMs },
  { additionalProperties: false },
);
const Slack = Type.Object(
  // The incoming-webhook URL is the credential, so it comes from the environment.
  { type: Type.Literal('slack'), url: SecretRef, timeoutMs: TimeoutMs },
  { additionalProperties: false },
);
const TheHive = Type.Object(
  {
    type: Type.Literal('thehive'),
    url: HttpUrl,
    apiKey: SecretRef,
    organisation: Type.Optional(Type.String({ minLength: 1 })),
    alertType: Type.Optional(Type.String({ minLength: 1 })),
    source: Type.Optional(Type.String({ minLength: 1 })),
    timeoutMs: TimeoutMs,
  },
  { additionalProperties: false },
);
const Email = Type.Object(
  {
    type: Type.Literal('email'),
    host: Type.String({ minLength: 1 }),
    port: Type.Integer({ minimum: 1, maximum: 65535 }),
    /** true: TLS from the first byte (465); false: STARTTLS, required unless `requireTls` is false. */
    secure: Type.Optional(Type.Boolean()),
    requireTls: Type.Optional(Type.Boolean()),
    /** PEM file of the CA that signed the server's certificate, when it is not a public one. */
    caFile: Type.Optional(Type.String({ minLength: 1 })),
    user: Type.Optional(SecretRef),
    password: Type.Optional(SecretRef),
    from: Type.String({ minLength: 3 }),
    to: Type.Array(Type.String({ minLength: 3 }), { minItems: 1 }),
    timeoutMs: TimeoutMs,
  },
  { additionalProperties: false },
);

export const DestinationSchema = Type.Union([Webhook, Slack, TheHive, Email]);

const Route = Type.Object(
  {
    destination: Type.String({ minLength: 1 }),
    changes: Type.Optional(
      Type.Array(Type.Union(INCIDENT_CHANGES.map((change) => Type.Literal(change))), {
        minItems: 1,
      }),
    ),
    minPriority: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
  },
  { additionalProperties: false },
);

export const RoutingFileSchema = Type.Object(
  {
    version: Type.Literal(1),
    destinations: Type.Record(Type.String({ minLength: 1 }), DestinationSchema),
    /** Routes per tenant id; `*` applies to every tenant without an entry of its own. */
    tenants: Type.Record(Type.String({ minLength: 1 }), Type.Array(Route)),
  },
  { additionalProperties: false },
);

export type SecretRef = Static<typeof SecretRef>;
export type DestinationSpec = Static<typeof DestinationSchema>;
export type RouteSpec = Static<typeof Route>;
export type RoutingFile = Static<typeof RoutingFileSchema>;
export type WebhookSpec = Static<typeof Webhook>;
export type SlackSpec = Static<typeof Slack>;
export type TheHiveSpec = Static<typeof TheHive>;
export type EmailSpec = Static<typeof Email>;
