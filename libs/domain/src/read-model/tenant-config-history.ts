import type { EpochMs, TenantConfigChange, TenantPolicyApplied } from '@soc/contracts';

type JsonObject = { readonly [field: string]: unknown };

/** One version of a tenant's configuration as the correlator took it in: the audit's row. */
export interface TenantConfigVersion {
  readonly tenantId: string;
  readonly version: number;
  readonly eventId: string;
  readonly configEventId: string;
  readonly changedBy: string;
  readonly change: TenantConfigChange;
  readonly proposalId: string | null;
  readonly reason: string;
  /** The admin's document (TenantConfigDocument). */
  readonly config: JsonObject;
  /** The resolved CorrelationPolicy the tenant was correlated under from then on. */
  readonly policy: JsonObject;
  /** Non-empty: not applied, the previous policy stayed (see TenantPolicyAppliedData). */
  readonly problems: readonly string[];
  /** When the admin's change was accepted. */
  readonly changedAt: EpochMs;
}

/** The history row of a TenantPolicyApplied; a version is written once (its key). */
export const tenantConfigVersionOf = ({
  tenantId,
  eventId,
  occurredAt,
  data,
}: TenantPolicyApplied): TenantConfigVersion => ({
  tenantId,
  version: data.version,
  eventId,
  configEventId: data.configEventId,
  changedBy: data.changedBy,
  change: data.change,
  proposalId: data.proposalId,
  reason: data.reason,
  config: JSON.parse(data.configJson) as JsonObject,
  policy: JSON.parse(data.policyJson) as JsonObject,
  problems: data.problems,
  changedAt: occurredAt,
});
