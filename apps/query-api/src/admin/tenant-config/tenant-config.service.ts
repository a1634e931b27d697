import { randomUUID } from 'node:crypto';
import { ConflictException } from '@nestjs/common';
import type { Producer } from 'kafkajs';
import {
  tenantConfigStreamId,
  type TenantConfigChange,
  type TenantConfigDocument,
  type TenantConfigEvent,
} from '@soc/contracts';
import { EMPTY_TENANT_CONFIG } from '@soc/domain';
import { READ_MODEL_SCHEMA, selectRows, withTenant, type DataSource } from '@soc/persistence';
import type { Principal } from '../../auth/principal';

/** The configuration in force for a tenant: version 0 and the empty document before any. */
export interface CurrentTenantConfig {
  readonly tenantId: string;
  readonly version: number;
  readonly config: TenantConfigDocument;
  readonly changedBy: string | null;
  readonly reason: string | null;
  readonly changedAt: string | null;
}

export interface TenantConfigChangeRequest {
  /** The version the admin edited; anything else in force now is a 409. */
  readonly expectedVersion: number;
  readonly config: TenantConfigDocument;
  readonly reason: string;
  readonly change: TenantConfigChange;
  readonly proposalId: string | null;
}

interface HeadRow {
  readonly version: number;
  readonly config: TenantConfigDocument;
  readonly changed_by: string;
  readonly reason: string;
  readonly changed_at: Date;
}

const stale = (current: number, expected: number) =>
  new ConflictException({
    statusCode: 409,
    error: 'Conflict',
    errors: [
      {
        path: 'version',
        reason: `stale: version ${current} is in force, the change was made on ${expected}; reload and apply it again`,
      },
    ],
  });

/**
 * Tenant configuration versions become TenantConfigChanged events on `soc.tenant-config.v1`.
 * Optimistic concurrency on the version: inside one transaction the API raises the tenant's
 * head row (`tenant_config_heads`) from the expected version to the next, only if the
 * expected one is in force (else 409), produces the event with acks=all, and only then
 * commits; a failed produce rolls the head back, so versions are gap-free and every one of
 * them is on the topic. The correlator applies them; the projector's history is the audit.
 */
export class TenantConfigService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly encode: (event: TenantConfigEvent) => Buffer,
  ) {}

  async current(tenantId: string): Promise<CurrentTenantConfig> {
    const [row] = await withTenant(
      this.dataSource,
      tenantId,
      (db) =>
        selectRows<HeadRow>(
          db,
          'SELECT version, config, changed_by, reason, changed_at FROM public.tenant_config_heads WHERE tenant_id = $1',
          [tenantId],
        ),
      { readOnly: true },
    );
    if (!row)
      return {
        tenantId,
        version: 0,
        config: EMPTY_TENANT_CONFIG,
        changedBy: null,
        reason: null,
        changedAt: null,
      };
    return {
      tenantId,
      version: row.version,
      config: row.config,
      changedBy: row.changed_by,
      reason: row.reason,
      changedAt: row.changed_at.toISOString(),
    };
  }

  /** Versions the correlator took in, newest first (the projected audit). */
  async history(tenantId: string, limit: number): Promise<Record<string, unknown>[]> {
    const rows = await withTenant(
      this.dataSource,
      tenantId,
      (db) =>
        selectRows<Record<string, unknown> & { changed_at: Date }>(
          db,
          `SELECT version, event_id, config_event_id, changed_by, change, proposal_id, reason, config, policy, problems, changed_at
           FROM ${READ_MODEL_SCHEMA}.tenant_config_history WHERE tenant_id = $1 ORDER BY version DESC LIMIT $2`,
          [tenantId, limit],
        ),
      { readOnly: true },
    );
    return rows.map(
      ({ changed_at, event_id, config_event_id, changed_by, proposal_id, ...rest }) => ({
        ...rest,
        eventId: event_id,
        configEventId: config_event_id,
        changedBy: changed_by,
        proposalId: proposal_id,
        changedAt: changed_at.toISOString(),
      }),
    );
  }

  async change(
    principal: Principal,
    request: TenantConfigChangeRequest,
  ): Promise<TenantConfigEvent> {
    const { tenantId } = principal;
    const actor = `admin:${principal.subject}`;
    return withTenant(this.dataSource, tenantId, async (db) => {
      const version = request.expectedVersion + 1;
      const occurredAt = Date.now();
      const values = [
        tenantId,
        version,
        JSON.stringify(request.config),
        actor,
        request.reason,
        occurredAt,
      ];
      const raised = await selectRows<{ version: number }>(
        db,
        request.expectedVersion === 0
          ? `INSERT INTO public.tenant_config_heads (tenant_id, version, config, changed_by, reason, changed_at)
             VALUES ($1, $2, $3::jsonb, $4, $5, to_timestamp($6::double precision / 1000))
             ON CONFLICT (tenant_id) DO NOTHING RETURNING version`
          : // A CTE, so the driver hands back the rows (a bare UPDATE answers [rows, count]).
            `WITH raised AS (
               UPDATE public.tenant_config_heads SET version = $2, config = $3::jsonb, changed_by = $4,
                 reason = $5, changed_at = to_timestamp($6::double precision / 1000)
               WHERE tenant_id = $1 AND version = $2 - 1 RETURNING version)
             SELECT version FROM raised`,
        values,
      );
      if (raised.length === 0) {
        const [head] = await selectRows<{ version: number }>(
          db,
          'SELECT version FROM public.tenant_config_heads WHERE tenant_id = $1',
          [tenantId],
        );
        throw stale(head?.version ?? 0, request.expectedVersion);
      }
      const eventId = randomUUID();
      const event: TenantConfigEvent = {
        eventId,
        type: 'TenantConfigChanged',
        schemaVersion: 1,
        tenantId,
        streamId: tenantConfigStreamId(tenantId),
        sequence: version,
        partitionKey: tenantId,
        occurredAt,
        causationId: `request:${eventId}`,
        actor,
        data: {
          version,
          config: request.config,
          change: request.change,
          proposalId: request.proposalId,
          reason: request.reason,
        },
      };
      await this.producer.send({
        topic: this.topic,
        acks: -1,
        messages: [
          {
            key: tenantId,
            value: this.encode(event),
            headers: { 'x-event-type': event.type, 'x-event-id': eventId },
          },
        ],
      });
      return event;
    });
  }
}
