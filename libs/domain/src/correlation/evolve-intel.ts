import { deleteOldest } from '../oldest-first';
import type { EpochMs, IntelVerdictAppliedData } from '@soc/contracts';
import {
  MAX_REMEMBERED_VERDICTS,
  type OpenIncident,
  type RememberedVerdict,
  type TenantState,
} from './state';

export type VerdictsByKey = Map<string, Map<string, RememberedVerdict>>;

/** The entity key a verdict's indicator matches: entity types are named like intel kinds. */
export const verdictKeyOf = (verdict: Pick<RememberedVerdict, 'kind' | 'indicator'>): string =>
  `${verdict.kind}:${verdict.indicator}`;

/** Is `verdict` newer than what `verdicts` holds for its provider and indicator? */
export function isNewer(verdicts: VerdictsByKey | null, verdict: RememberedVerdict): boolean {
  const held = verdicts?.get(verdictKeyOf(verdict))?.get(verdict.provider);
  return held === undefined || held.fetchedAt < verdict.fetchedAt;
}

/** Puts the verdict in, when newer; returns whether it added a provider to the indicator. */
function put(verdicts: VerdictsByKey, verdict: RememberedVerdict): 'added' | 'replaced' | 'kept' {
  const key = verdictKeyOf(verdict);
  let byProvider = verdicts.get(key);
  if (byProvider === undefined) {
    byProvider = new Map();
    verdicts.set(key, byProvider);
  }
  const held = byProvider.get(verdict.provider);
  if (held !== undefined && held.fetchedAt >= verdict.fetchedAt) return 'kept';
  byProvider.set(verdict.provider, verdict);
  return held === undefined ? 'added' : 'replaced';
}

/**
 * Folds IntelVerdictApplied: the tenant remembers the verdict for alerts to come (bounded, the
 * oldest indicator out first), and the incident it names keeps it among its intel facts.
 * Repeated or older events change nothing: the latest fetchedAt per provider wins.
 */
export function applyVerdict(tenant: TenantState, data: IntelVerdictAppliedData): void {
  const { incidentId, ...verdict } = data;
  if (put(tenant.intel, verdict) === 'added') tenant.intelCount += 1;
  while (tenant.intelCount > MAX_REMEMBERED_VERDICTS) {
    const oldest = deleteOldest(tenant.intel, tenant.evictions.intel);
    if (oldest === undefined) break;
    tenant.intelCount -= oldest[1].size;
  }
  if (incidentId === null) return;
  const incident = tenant.open.get(incidentId);
  if (incident === undefined) return;
  incident.intel ??= new Map();
  put(incident.intel, verdict);
}

/** The survivor of a merge keeps the absorbed incident's verdicts too. */
export function mergeIntel(survivor: OpenIncident, absorbed: OpenIncident): void {
  if (absorbed.intel === null) return;
  survivor.intel ??= new Map();
  for (const byProvider of absorbed.intel.values())
    for (const verdict of byProvider.values()) put(survivor.intel, verdict);
}

/** The tenant forgets verdicts the watermark has passed the expiry of. */
export function forgetExpiredVerdicts(tenant: TenantState, watermark: EpochMs): void {
  for (const [key, byProvider] of tenant.intel) {
    for (const [provider, verdict] of byProvider)
      if (verdict.expiresAt <= watermark) {
        byProvider.delete(provider);
        tenant.intelCount -= 1;
      }
    if (byProvider.size === 0) tenant.intel.delete(key);
  }
}
