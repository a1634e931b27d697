import { Value } from '@sinclair/typebox/value';
import type { IncidentChange, IncidentNotification } from '../notification';
import {
  RoutingFileSchema,
  type DestinationSpec,
  type RoutingFile,
  type SecretRef,
} from './routing-schema';

/** Every problem of a routing file, each with its JSON path; no secret value is ever in one. */
export class RoutingConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`${source}: invalid routing configuration:\n  ${problems.join('\n  ')}`);
  }
}

/** A secret read from the environment at start-up; its value never reaches a log line. */
export type Secrets = (ref: SecretRef) => string;

export interface Route {
  readonly destination: string;
  readonly changes: ReadonlySet<IncidentChange>;
  readonly minPriority: number;
  /** Case tools hear about an incident only once it has escalated (TheHive). */
  readonly onlyEscalated: boolean;
}

export interface Routing {
  readonly destinations: ReadonlyMap<string, DestinationSpec>;
  routesFor(notification: IncidentNotification): readonly Route[];
}

const DEFAULT_CHANGES: Record<DestinationSpec['type'], readonly IncidentChange[]> = {
  webhook: ['opened', 'escalated', 'merged', 'closed'],
  slack: ['escalated'],
  email: ['escalated'],
  thehive: ['escalated', 'updated', 'merged', 'closed'],
};

/** Validates a parsed routing file and checks every secret it names is set. */
export function parseRouting(
  raw: unknown,
  { source, env }: { readonly source: string; readonly env: NodeJS.ProcessEnv },
): Routing {
  if (!Value.Check(RoutingFileSchema, raw)) {
    const problems = [...Value.Errors(RoutingFileSchema, raw)]
      .slice(0, 20)
      .map((error) => `${error.path || '/'}: ${error.message}`);
    throw new RoutingConfigError(source, problems);
  }
  const file: RoutingFile = raw;
  const problems = [
    ...missingSecrets(file, env),
    ...Object.entries(file.tenants).flatMap(([tenant, routes]) =>
      routes
        .map((route, index) => ({ route, index }))
        .filter(({ route }) => !(route.destination in file.destinations))
        .map(
          ({ route, index }) =>
            `/tenants/${tenant}/${index}/destination: no destination named '${route.destination}'`,
        ),
    ),
  ];
  if (problems.length > 0) throw new RoutingConfigError(source, problems);

  const destinations = new Map(Object.entries(file.destinations));
  const routesByTenant = new Map(
    Object.entries(file.tenants).map(([tenant, routes]) => [
      tenant,
      routes.map((route): Route => {
        const type = (destinations.get(route.destination) as DestinationSpec).type;
        return {
          destination: route.destination,
          changes: new Set(route.changes ?? DEFAULT_CHANGES[type]),
          minPriority: route.minPriority ?? 0,
          onlyEscalated: type === 'thehive',
        };
      }),
    ]),
  );
  return {
    destinations,
    routesFor: (notification) =>
      (routesByTenant.get(notification.incident.tenantId) ?? routesByTenant.get('*') ?? []).filter(
        (route) => routeWants(route, notification),
      ),
  };
}

function routeWants(route: Route, notification: IncidentNotification): boolean {
  if (!route.changes.has(notification.details.change)) return false;
  if (route.onlyEscalated && !notification.incident.escalated) return false;
  return (notification.incident.priority ?? 0) >= route.minPriority;
}

function missingSecrets(file: RoutingFile, env: NodeJS.ProcessEnv): string[] {
  return Object.entries(file.destinations).flatMap(([name, spec]) =>
    secretRefsOf(spec)
      .filter(({ ref }) => !env[ref.env])
      .map(
        ({ field, ref }) =>
          `/destinations/${name}/${field}: environment variable ${ref.env} is not set`,
      ),
  );
}

function secretRefsOf(spec: DestinationSpec): { field: string; ref: SecretRef }[] {
  switch (spec.type) {
    case 'webhook':
      return [{ field: 'secret', ref: spec.secret }];
    case 'slack':
      return [{ field: 'url', ref: spec.url }];
    case 'thehive':
      return [{ field: 'apiKey', ref: spec.apiKey }];
    case 'email':
      return [
        ...(spec.user ? [{ field: 'user', ref: spec.user }] : []),
        ...(spec.password ? [{ field: 'password', ref: spec.password }] : []),
      ];
    default: {
      const unreachable: never = spec;
      return unreachable;
    }
  }
}

/** Reads a secret the routing named; parseRouting has already checked it is set. */
export const secretsFrom =
  (env: NodeJS.ProcessEnv): Secrets =>
  (ref) =>
    env[ref.env] ?? '';
