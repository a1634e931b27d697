import type { CorrelationState } from './state';

export interface CorrelationStateSize {
  readonly tenants: number;
  readonly openIncidents: number;
  /** Distinct entity and repeat keys indexed for open incidents. */
  readonly indexedKeys: number;
  /** Entities in the campaign memory. */
  readonly trackedEntities: number;
  readonly rememberedIncidents: number;
  readonly campaigns: number;
  readonly pendingIncidents: number;
}

/** Sizes of the state, for benchmarks and memory alarms. */
export function stateSize(state: CorrelationState): CorrelationStateSize {
  let openIncidents = 0;
  let indexedKeys = 0;
  let trackedEntities = 0;
  let rememberedIncidents = 0;
  let campaigns = 0;
  let pendingIncidents = 0;
  for (const tenant of state.tenants.values()) {
    openIncidents += tenant.open.size;
    indexedKeys += tenant.index.size;
    trackedEntities += tenant.entities.size;
    rememberedIncidents += tenant.closed.size;
    campaigns += tenant.campaigns.size;
    pendingIncidents += tenant.pending.size;
  }
  return {
    tenants: state.tenants.size,
    openIncidents,
    indexedKeys,
    trackedEntities,
    rememberedIncidents,
    campaigns,
    pendingIncidents,
  };
}
