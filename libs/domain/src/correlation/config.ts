import type { AlertEntity, CanonicalAlert } from '@soc/contracts';
import type { AssetLookup, ConfigFieldError, ScoringContext } from '../scoring';
import { compilePolicy } from './compile-policy';
import { DEFAULT_CORRELATION_POLICY, type CorrelationPolicy, type SuppressionRule } from './policy';
import type { TenantState } from './state';

/** A policy with its matchers compiled once, at parse time. */
export interface TenantCorrelationPolicy {
  readonly policy: CorrelationPolicy;
  readonly scoringContext: ScoringContext;
  /** True when the entity's type links and the entity is not allowlisted infrastructure. */
  readonly links: (entity: AlertEntity) => boolean;
  readonly suppressionFor: (alert: CanonicalAlert) => SuppressionRule | undefined;
}

export interface CorrelationConfig {
  readonly defaults: TenantCorrelationPolicy;
  readonly tenants: ReadonlyMap<string, TenantCorrelationPolicy>;
  /** The shell's asset inventory per tenant; null to use each policy's inline `scoring.assets`. */
  readonly assetLookupFor: ((tenantId: string) => AssetLookup) | null;
}

export type CorrelationConfigResult =
  | { readonly ok: true; readonly config: CorrelationConfig }
  | { readonly ok: false; readonly errors: readonly ConfigFieldError[] };

/** The correlator's file policy for a tenant: its section of the file, else the defaults. */
export const filePolicyFor = (
  config: CorrelationConfig,
  tenantId: string,
): TenantCorrelationPolicy => config.tenants.get(tenantId) ?? config.defaults;

/**
 * The policy a tenant is correlated under: the one its latest TenantPolicyApplied put in force
 * (part of the state, so a replay of the incident log restores it), else the file's.
 */
export const policyFor = (
  config: CorrelationConfig,
  tenantId: string,
  tenant: Pick<TenantState, 'policy'> | undefined,
): TenantCorrelationPolicy => tenant?.policy ?? filePolicyFor(config, tenantId);

export function defaultCorrelationConfig(): CorrelationConfig {
  return {
    defaults: compilePolicy(DEFAULT_CORRELATION_POLICY, undefined),
    tenants: new Map(),
    assetLookupFor: null,
  };
}

/**
 * A shell with a real asset inventory plugs its per-tenant lookup in here; it replaces the
 * inline `scoring.assets` lists for every tenant. The lookup must behave as a pure function
 * for a run (a snapshot refreshed between batches), or a replay scores differently.
 */
export function withAssetLookup(
  config: CorrelationConfig,
  lookupFor: (tenantId: string) => AssetLookup,
): CorrelationConfig {
  return { ...config, assetLookupFor: lookupFor };
}

/** The scoring context of a tenant: its policy's defaults with the tenant's asset lookup. */
export function scoringContextFor(
  config: CorrelationConfig,
  tenantId: string,
  tenant: Pick<TenantState, 'policy'> | undefined,
): ScoringContext {
  const compiled = policyFor(config, tenantId, tenant);
  return config.assetLookupFor === null
    ? compiled.scoringContext
    : { ...compiled.scoringContext, assets: config.assetLookupFor(tenantId) };
}
