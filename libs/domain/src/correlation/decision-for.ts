import { policyFor } from './config';
import { Decision } from './context';
import type { DeciderParts } from './decide';
import { tenantWatermarkOf } from './watermark';

/**
 * A decision about a tenant that no alert of this input times: intel verdicts and analyst
 * feedback, at the event time given, against the tenant's current watermark.
 */
export function decisionFor(
  { state, config, ids }: DeciderParts,
  {
    tenantId,
    time,
    cause,
  }: { readonly tenantId: string; readonly time: number; readonly cause: string },
): Decision {
  const tenant = state.tenants.get(tenantId);
  const watermark =
    tenant === undefined
      ? -Infinity
      : tenantWatermarkOf(tenant, policyFor(config, tenantId, tenant).policy);
  return new Decision({ tenantId, tenant, config, ids, time, watermark, cause });
}
