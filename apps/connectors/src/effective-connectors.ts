import {
  connectorKey,
  parseConnectorEntry,
  type ConnectorDefinition,
} from './connector-definition';

/** The `connectors` of a tenant's latest configuration version on soc.tenant-config.v1. */
export interface TenantConnectorSettings {
  readonly tenantId: string;
  readonly version: number;
  readonly connectors: readonly unknown[];
}

export interface EffectiveConnectors {
  readonly definitions: readonly ConnectorDefinition[];
  /** Why an entry of a tenant's configuration is not run, by tenant, version and field. */
  readonly problems: readonly string[];
}

const idOf = (entry: unknown): unknown =>
  typeof entry === 'object' && entry !== null ? (entry as { id?: unknown }).id : undefined;

/**
 * The connectors to run: CONNECTORS_CONFIG_FILE's, with each tenant's configured connectors
 * over them. A tenant's entry replaces the file's connector of the same tenant and id (so it
 * resumes from that connector's checkpoint) or adds one; a file connector no entry names
 * keeps running. An entry that does not parse (a secret's variable unset, a field missing) is
 * not run, nor is the file's connector it names: the admin meant to change it. An entry's
 * tenant is the configuration's own. Pure: secrets come from `env`.
 */
export function effectiveConnectors({
  file,
  tenants,
  env,
}: {
  readonly file: readonly ConnectorDefinition[];
  readonly tenants: Iterable<TenantConnectorSettings>;
  readonly env: NodeJS.ProcessEnv;
}): EffectiveConnectors {
  const byKey = new Map(file.map((definition) => [connectorKey(definition), definition]));
  const problems: string[] = [];
  for (const { tenantId, version, connectors } of tenants) {
    connectors.forEach((entry, index) => {
      const id = idOf(entry);
      if (typeof id === 'string') byKey.delete(connectorKey({ tenantId, id }));
      const path = `tenant ${tenantId} version ${version}: connectors[${index}]`;
      const result = parseConnectorEntry(
        typeof entry === 'object' && entry !== null ? { ...entry, tenant: tenantId } : entry,
        { path, env },
      );
      if (result.ok) byKey.set(connectorKey(result.definition), result.definition);
      else problems.push(...result.problems);
    });
  }
  return { definitions: [...byKey.values()], problems };
}
