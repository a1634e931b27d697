import type { TenantConfigDocument } from '@soc/contracts';
import { parsePolicy } from '../correlation/parse-policy';
import type { CorrelationPolicy } from '../correlation/policy';
import type { ConfigFieldError } from '../scoring';

export type ResolvedTenantPolicy =
  | { readonly ok: true; readonly policy: CorrelationPolicy }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * The policy a tenant configuration puts in force: its `correlation` section over `base` (the
 * correlator's file policy for the tenant), merged as the file merges tenant sections. A
 * configuration validated over the built-in defaults can still clash with a file that moved
 * them (a window longer than the tenant's max span): such a clash is reported, not applied.
 */
export function resolveTenantPolicy(
  base: CorrelationPolicy,
  config: TenantConfigDocument,
): ResolvedTenantPolicy {
  const errors: ConfigFieldError[] = [];
  const policy = parsePolicy({ ...config.correlation }, base, 'correlation', errors);
  if (policy === undefined || errors.length > 0)
    return { ok: false, problems: errors.map((e) => `${e.path}: ${e.message}`) };
  return { ok: true, policy };
}
