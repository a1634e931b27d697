import { NotFoundException } from '@nestjs/common';
import type { AlertEntity, AnalystVerdict, TenantConfigDocument } from '@soc/contracts';
import {
  DEFAULT_PROPOSAL_OPTIONS,
  proposeSuppressions,
  type HistoryIncident,
  type SuppressionProposal,
} from '@soc/domain';
import { READ_MODEL_SCHEMA, selectRows, withTenant, type DataSource } from '@soc/persistence';

/** How much of the past a proposal looks at: the latest incidents, and their alert rows. */
export const PROPOSAL_HISTORY_INCIDENTS = 5_000;
export const PROPOSAL_HISTORY_ALERTS = 100_000;

interface AlertRow {
  readonly incident_id: string;
  readonly verdict: AnalystVerdict | null;
  readonly rule_id: string | null;
  readonly entities: readonly AlertEntity[];
  readonly tactics: readonly string[];
}

/** The ids a configuration has decided on: suppressions in force and rejected proposals. */
export function decidedIds(config: TenantConfigDocument): Set<string> {
  const suppressions = config.correlation['suppressions'];
  const ids = Array.isArray(suppressions)
    ? suppressions
        .map((rule: unknown) => (rule as { id?: unknown }).id)
        .filter((id): id is string => typeof id === 'string')
    : [];
  return new Set([...ids, ...config.rejectedProposals]);
}

/**
 * Suppression proposals over the read model: the latest PROPOSAL_HISTORY_INCIDENTS incidents
 * with their verdicts and alert rows (suppressed rows aside: they are what a rule already
 * took) through the pure `proposeSuppressions`.
 */
export class SuppressionProposals {
  constructor(private readonly dataSource: DataSource) {}

  async list(tenantId: string, config: TenantConfigDocument): Promise<SuppressionProposal[]> {
    const history = await this.history(tenantId);
    return proposeSuppressions(history, {
      ...DEFAULT_PROPOSAL_OPTIONS,
      decided: decidedIds(config),
    });
  }

  async find(
    tenantId: string,
    config: TenantConfigDocument,
    id: string,
  ): Promise<SuppressionProposal> {
    const proposal = (await this.list(tenantId, config)).find((p) => p.id === id);
    if (!proposal)
      throw new NotFoundException({
        statusCode: 404,
        error: 'Not Found',
        errors: [{ path: 'proposalId', reason: `no open suppression proposal ${id}` }],
      });
    return proposal;
  }

  private async history(tenantId: string): Promise<HistoryIncident[]> {
    const rows = await withTenant(
      this.dataSource,
      tenantId,
      (db) =>
        selectRows<AlertRow>(
          db,
          `WITH recent AS (
             SELECT incident_id, verdict FROM ${READ_MODEL_SCHEMA}.incidents
             WHERE tenant_id = $1 AND opened ORDER BY last_seen DESC NULLS LAST LIMIT $2)
           SELECT r.incident_id, r.verdict, a.rule_id, a.entities, a.tactics
           FROM recent r JOIN ${READ_MODEL_SCHEMA}.incident_alerts a
             ON a.tenant_id = $1 AND a.incident_id = r.incident_id AND a.via <> 'suppressed'
           ORDER BY r.incident_id, a.observed_at, a.alert_id LIMIT $3`,
          [tenantId, PROPOSAL_HISTORY_INCIDENTS, PROPOSAL_HISTORY_ALERTS],
        ),
      { readOnly: true },
    );
    const incidents = new Map<
      string,
      {
        incidentId: string;
        verdict: AnalystVerdict | null;
        alerts: HistoryIncident['alerts'][number][];
      }
    >();
    for (const row of rows) {
      let incident = incidents.get(row.incident_id);
      if (incident === undefined) {
        incident = { incidentId: row.incident_id, verdict: row.verdict, alerts: [] };
        incidents.set(row.incident_id, incident);
      }
      incident.alerts.push({ ruleId: row.rule_id, entities: row.entities, tactics: row.tactics });
    }
    return [...incidents.values()];
  }
}
