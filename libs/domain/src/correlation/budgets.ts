import type { TenantBudget, TenantBudgetExceededData, TenantBudgetLimits } from '@soc/contracts';
import { CORRELATION_ACTORS as ACTOR, type Decision } from './context';
import { unattachedStreamId } from './ids';
import { indexRemove } from './links';
import { DEFAULT_TENANT_BUDGETS } from './policy';
import { deleteOldest } from '../oldest-first';
import type { ClosedIncident, TenantState } from './state';

/*
 * Per-tenant state budgets. The decider announces a budget a decision would pass with
 * TenantBudgetExceeded, which carries the limits; the fold applies the limits the latest such
 * event recorded (DEFAULT_TENANT_BUDGETS before any), so a replay bounds its state exactly as
 * the live run did, whatever the configuration says at replay time. At each budget:
 * - open-incidents: the decider closes the oldest open incidents (IncidentClosed, reason
 *   `tenant-budget`) to make room for a new one;
 * - linked-keys: entity and repeat keys beyond it are not linked (the alert rows still carry
 *   them; the alert still joins or opens an incident through the keys already linked); closed
 *   incidents kept for revision count against it too;
 * - tracked-entities: campaign memory forgets the entities seen least recently;
 * - remembered-incidents: the incidents closed longest ago are forgotten (late alerts no
 *   longer reopen them).
 */

const LIMIT_OF: { readonly [B in TenantBudget]: keyof TenantBudgetLimits } = {
  'open-incidents': 'openIncidents',
  'linked-keys': 'linkedKeys',
  'tracked-entities': 'trackedEntities',
  'remembered-incidents': 'rememberedIncidents',
};

const usedOf = (tenant: TenantState, budget: TenantBudget): number => {
  switch (budget) {
    case 'open-incidents':
      return tenant.open.size;
    case 'linked-keys':
      return tenant.index.size;
    case 'tracked-entities':
      return tenant.entities.size;
    case 'remembered-incidents':
      return tenant.closed.size;
    default: {
      const unreachable: never = budget;
      return unreachable;
    }
  }
};

const sameLimits = (a: TenantBudgetLimits, b: TenantBudgetLimits): boolean =>
  a.openIncidents === b.openIncidents &&
  a.linkedKeys === b.linkedKeys &&
  a.trackedEntities === b.trackedEntities &&
  a.rememberedIncidents === b.rememberedIncidents;

/**
 * How far `incoming` new entries take the tenant past the budget in force (the lower of the
 * configured and the recorded limit), 0 when they fit. Past it, announces the budget once per
 * set of limits: the event also hands the fold a changed configuration's limits.
 */
export function overBudget(
  ctx: Decision,
  { budget, incoming }: { readonly budget: TenantBudget; readonly incoming: number },
): number {
  const tenant = ctx.tenant;
  const configured = ctx.policy.budgets;
  const recorded = tenant?.budgets ?? DEFAULT_TENANT_BUDGETS;
  const used = tenant === undefined ? 0 : usedOf(tenant, budget);
  const limit = Math.min(configured[LIMIT_OF[budget]], recorded[LIMIT_OF[budget]]);
  const over = used + incoming - limit;
  if (over <= 0) return 0;
  if (!sameLimits(recorded, configured) || tenant?.budgetsReached.has(budget) !== true) {
    const data: TenantBudgetExceededData = { incidentId: null, budget, used, limits: configured };
    const stream = {
      id: unattachedStreamId(ctx.tenantId),
      sequence: tenant?.unattachedSequence ?? 0,
    };
    ctx.emit(stream, 'TenantBudgetExceeded', data, { actor: ACTOR.budget });
  }
  return over;
}

/** Before a new incident: closes the oldest open ones past the open-incidents budget. */
export function makeRoomForIncident(ctx: Decision): void {
  const over = overBudget(ctx, { budget: 'open-incidents', incoming: 1 });
  if (over === 0 || ctx.tenant === undefined) return;
  let closed = 0;
  // Map order is opening (or reopening) order, the same in every replay.
  for (const incident of ctx.tenant.open.values()) {
    if (closed === over) break;
    ctx.emit(
      incident,
      'IncidentClosed',
      { incidentId: incident.id, reason: 'tenant-budget' },
      { actor: ACTOR.budget },
    );
    closed += 1;
  }
}

/** Folds TenantBudgetExceeded: its limits apply from now on, lowered ones at once. */
export function recordBudget(tenant: TenantState, data: TenantBudgetExceededData): void {
  if (!sameLimits(tenant.budgets, data.limits)) {
    tenant.budgets = data.limits;
    tenant.budgetsReached.clear();
  }
  tenant.budgetsReached.add(data.budget);
  while (tenant.entities.size > tenant.budgets.trackedEntities) forgetOldestEntity(tenant);
  trimClosed(tenant);
}

/** Campaign memory keeps entities in order of last sight: the first is the stalest. */
export function forgetOldestEntity(tenant: TenantState): void {
  deleteOldest(tenant.entities, tenant.evictions.entities);
}

/** Forgets the incidents closed longest ago while the closed ones are over their budgets. */
export function trimClosed(tenant: TenantState): void {
  while (
    tenant.closed.size > tenant.budgets.rememberedIncidents ||
    tenant.retainedKeys > tenant.budgets.linkedKeys
  ) {
    const oldest = deleteOldest(tenant.closed, tenant.evictions.closed);
    if (oldest === undefined) return;
    releaseClosed(tenant, oldest[1]);
  }
}

export function forgetClosed(tenant: TenantState, incidentId: string): void {
  const closed = tenant.closed.get(incidentId);
  if (closed === undefined) return;
  tenant.closed.delete(incidentId);
  releaseClosed(tenant, closed);
}

/** What a forgotten closed incident held: its links, in the count and in the closed index. */
function releaseClosed(tenant: TenantState, closed: ClosedIncident): void {
  if (closed.retained === null) return;
  tenant.retainedKeys -= closed.retained.links.size;
  for (const link of closed.retained.links.values()) indexRemove(tenant.closedIndex, link);
}
