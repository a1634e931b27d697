import type { EventEnvelope } from './envelope';

/**
 * A tenant's configuration on `soc.tenant-config.v1`, written by the query API's admin
 * endpoints. Keyed by tenant id, with the partition count of `soc.alerts.v1`, so partition p
 * holds the configuration of the tenants of alerts partition p: the correlator that owns p
 * reads it in the same transactions as the alerts. The topic is not compacted and keeps its
 * records forever: every version stays, since the versions are the audit (who changed what,
 * when and why), and a correlator rebuilt from scratch reads them all.
 *
 * Stream id: `tenant-config:<tenantId>`; `sequence` is the config version, gap-free from 1.
 */
export const TENANT_CONFIG_CHANGES = [
  'edited',
  'suppression-accepted',
  'suppression-rejected',
] as const;
export type TenantConfigChange = (typeof TENANT_CONFIG_CHANGES)[number];

/**
 * The whole configuration of one tenant. `correlation` overrides the correlator's policy for
 * the tenant (the fields of a tenant section of CORRELATION_CONFIG_FILE: windows, weights,
 * suppressions, allowlist, ...), on top of that file's policy for the tenant. `connectors`
 * holds the tenant's pull-connector settings (the objects of CONNECTORS_CONFIG_FILE, with
 * secrets only as `{ "env": "NAME" }` references). `rejectedProposals` are the suppression
 * proposals an admin turned down, so they are not proposed again.
 */
export interface TenantConfigDocument {
  readonly correlation: { readonly [field: string]: unknown };
  readonly connectors: readonly { readonly [field: string]: unknown }[];
  readonly rejectedProposals: readonly string[];
}

export interface TenantConfigChangedData {
  readonly version: number;
  readonly config: TenantConfigDocument;
  readonly change: TenantConfigChange;
  /** The suppression proposal accepted or rejected; null for an edit. */
  readonly proposalId: string | null;
  /** Why, in the admin's words. */
  readonly reason: string;
}

export type TenantConfigChanged = EventEnvelope<'TenantConfigChanged', TenantConfigChangedData>;

export type TenantConfigEvent = TenantConfigChanged;
export type TenantConfigEventType = TenantConfigEvent['type'];

export const tenantConfigStreamId = (tenantId: string): string => `tenant-config:${tenantId}`;
