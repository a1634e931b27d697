import type { TenantPolicyAppliedData } from '@soc/contracts';
import { resolveTenantPolicy } from '../tenant-config/resolve-tenant-policy';
import { compilePolicy } from './compile-policy';
import { filePolicyFor } from './config';
import { CORRELATION_ACTORS as ACTOR, Decision } from './context';
import type { DeciderParts } from './decide';
import { unattachedStreamId } from './ids';
import type { CorrelationPolicy } from './policy';
import type { CorrelationOutput, TenantConfigInput, TenantState } from './state';

/** The causation of what a configuration version decides: its event id, marked as such. */
export const configCausation = (configEventId: string): string => `config:${configEventId}`;

/**
 * A tenant configuration version, taken in once: a version at or below the one in force (a
 * redelivery, an older record) decides nothing. Otherwise TenantPolicyApplied on the tenant's
 * unattached stream records the resolved policy whole (or why it could not be resolved over
 * the file's policy for the tenant), and the fold puts it in force for the tenant's next
 * input. Nothing else changes: open incidents keep the window they opened under.
 */
export function decideTenantConfig(
  { event }: TenantConfigInput,
  { state, config, ids }: DeciderParts,
): CorrelationOutput[] {
  const { tenantId } = event;
  const tenant = state.tenants.get(tenantId);
  if (event.data.version <= (tenant?.policyVersion ?? 0)) return [];
  const resolved = resolveTenantPolicy(filePolicyFor(config, tenantId).policy, event.data.config);
  const ctx = new Decision({
    tenantId,
    tenant,
    config,
    ids,
    time: event.occurredAt,
    watermark: tenant?.watermark ?? -Infinity,
    cause: configCausation(event.eventId),
  });
  const data: TenantPolicyAppliedData = {
    incidentId: null,
    version: event.data.version,
    configEventId: event.eventId,
    changedBy: event.actor,
    change: event.data.change,
    proposalId: event.data.proposalId,
    reason: event.data.reason,
    configJson: JSON.stringify(event.data.config),
    policyJson: JSON.stringify(resolved.ok ? resolved.policy : ctx.policy),
    problems: resolved.ok ? [] : resolved.problems,
  };
  const stream = { id: unattachedStreamId(tenantId), sequence: tenant?.unattachedSequence ?? 0 };
  ctx.emit(stream, 'TenantPolicyApplied', data, { actor: ACTOR.config });
  return ctx.outputs;
}

/** Needs no configuration: the event carries the whole policy. */
export function applyTenantPolicy(tenant: TenantState, data: TenantPolicyAppliedData): void {
  if (data.version <= tenant.policyVersion) return;
  tenant.policyVersion = data.version;
  if (data.problems.length > 0) return;
  tenant.policy = compilePolicy(JSON.parse(data.policyJson) as CorrelationPolicy, tenant.tenantId);
}
