import {
  blockUntil,
  freshBudget,
  takeFromAll,
  type BudgetLimits,
  type BudgetState,
} from '@soc/domain';
import { selectRows, type DataSource } from '@soc/persistence';

export interface BudgetScope {
  /** `key:virustotal:env:ACME_VT_KEY` for an API key's quota, `tenant:acme:virustotal` for a share. */
  readonly scope: string;
  readonly limits: BudgetLimits;
}

export type BudgetGrant =
  | { readonly granted: true }
  | { readonly granted: false; readonly retryAt: number; readonly reason: string };

/**
 * Request budgets persisted in PostgreSQL, because a provider's quota belongs to its API key,
 * not to one process: every intel instance (and every restart) draws from the same rows.
 * Each take locks the scopes' rows in one transaction and applies the pure budget math
 * (takeFromAll), so two instances never spend the same token.
 */
export class BudgetStore {
  constructor(private readonly db: DataSource) {}

  async take(scopes: readonly BudgetScope[], at: number): Promise<BudgetGrant> {
    const ordered = [...scopes].sort((a, b) => a.scope.localeCompare(b.scope));
    return this.db.transaction(async (manager) => {
      const states: BudgetState[] = [];
      for (const { scope, limits } of ordered) {
        await manager.query(
          `INSERT INTO public.intel_budgets (scope, state) VALUES ($1, $2) ON CONFLICT (scope) DO NOTHING`,
          [scope, JSON.stringify(freshBudget(limits, at))],
        );
        const [row] = await selectRows<{ state: BudgetState }>(
          manager,
          'SELECT state FROM public.intel_budgets WHERE scope = $1 FOR UPDATE',
          [scope],
        );
        states.push(row?.state ?? freshBudget(limits, at));
      }
      const decision = takeFromAll(
        ordered.map((scope, index) => ({
          state: states[index] as BudgetState,
          limits: scope.limits,
        })),
        at,
      );
      for (const [index, { scope }] of ordered.entries()) {
        await manager.query(
          'UPDATE public.intel_budgets SET state = $2, updated_at = now() WHERE scope = $1',
          [scope, JSON.stringify(decision.states[index])],
        );
      }
      return decision.granted
        ? { granted: true }
        : { granted: false, retryAt: decision.retryAt, reason: decision.reason ?? 'budget spent' };
    });
  }

  /** The provider said stop until `until` (429 Retry-After): no request on this scope before it. */
  async block(scope: BudgetScope, until: number, at: number): Promise<void> {
    await this.db.transaction(async (manager) => {
      const [row] = await selectRows<{ state: BudgetState }>(
        manager,
        'SELECT state FROM public.intel_budgets WHERE scope = $1 FOR UPDATE',
        [scope.scope],
      );
      const state = blockUntil(row?.state ?? freshBudget(scope.limits, at), until);
      await manager.query(
        `INSERT INTO public.intel_budgets (scope, state) VALUES ($1, $2)
         ON CONFLICT (scope) DO UPDATE SET state = EXCLUDED.state, updated_at = now()`,
        [scope.scope, JSON.stringify(state)],
      );
    });
  }
}
