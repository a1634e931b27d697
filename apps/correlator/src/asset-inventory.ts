import type { DataSource } from 'typeorm';
import type { AlertEntity } from '@soc/contracts';
import type { AssetContext, AssetLookup } from '@soc/domain';

interface AssetRow {
  readonly tenant_id: string;
  readonly entity_type: string;
  readonly value: string;
  readonly criticality: number;
  readonly tags: string[];
}

/**
 * An in-memory snapshot of every tenant's asset inventory, refreshed on an interval, so the
 * scorer's lookup stays a synchronous pure function of the snapshot. It reads all tenants:
 * a policy lets the correlator's role (soc_correlator) past the table's row level security.
 */
export class AssetInventory {
  private byTenant = new Map<string, Map<string, AssetContext>>();

  constructor(private readonly dataSource: DataSource) {}

  async refresh(): Promise<number> {
    const rows = (await this.dataSource.query(
      'SELECT tenant_id, entity_type, value, criticality, tags FROM public.assets',
    )) as AssetRow[];
    const next = new Map<string, Map<string, AssetContext>>();
    for (const row of rows) {
      let tenant = next.get(row.tenant_id);
      if (!tenant) next.set(row.tenant_id, (tenant = new Map()));
      tenant.set(`${row.entity_type}:${row.value.toLowerCase()}`, {
        criticality: row.criticality,
        tags: row.tags,
      });
    }
    this.byTenant = next;
    return rows.length;
  }

  lookupFor(tenantId: string | null): AssetLookup {
    return (entity: AlertEntity) => {
      if (tenantId === null) return undefined;
      return this.byTenant.get(tenantId)?.get(`${entity.type}:${entity.value.toLowerCase()}`);
    };
  }
}
