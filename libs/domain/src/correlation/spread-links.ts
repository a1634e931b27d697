import type { RareFinding } from '../scoring';
import type { Decision } from './context';
import { lookupIncident, type IncidentRecord } from './lookups';
import type { TenantState } from './state';

/** Another incident where the row's rare rule fired on another entity shortly before. */
export interface SpreadLink {
  readonly other: IncidentRecord;
  readonly reason: string;
}

const words = (entityKey: string): string => entityKey.replace(':', ' ');

/**
 * Rare activity moving between hosts: the row's rule, rare where it fired, first appeared in
 * the tenant (see isNewInTenant) less than the spread window ago, and has fired rare on
 * another entity since. A rule the tenant already knew never qualifies, so shared noise does
 * not chain hosts together.
 */
export function spreadLinks(
  ctx: Decision,
  { tenant, finding }: { readonly tenant: TenantState; readonly finding: RareFinding },
): SpreadLink[] {
  const memory = tenant.rareRules.get(finding.rule);
  const { spreadWindowMs } = ctx.policy.campaign;
  if (memory === undefined || Math.abs(ctx.time - memory.firstAt) > spreadWindowMs) return [];
  const links: SpreadLink[] = [];
  for (const sighting of memory.sightings) {
    if (sighting.entityKey === finding.entityKey) continue;
    const other = lookupIncident(tenant, sighting.incidentId);
    if (other === undefined) continue;
    const minutes = Math.round(Math.abs(ctx.time - sighting.at) / 60_000);
    links.push({
      other,
      reason:
        `rule ${finding.rule}, new in the tenant, fired on ${words(finding.entityKey)} and ` +
        `${minutes} min apart on ${words(sighting.entityKey)}: the same activity on another host`,
    });
  }
  return links;
}
