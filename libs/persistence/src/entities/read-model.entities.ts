import { Column, Entity, PrimaryColumn } from 'typeorm';
import { READ_MODEL_SCHEMA } from '../schema';

/**
 * The read-model tables as TypeORM sees them (for repositories and tooling). The projector
 * writes them with multi-row SQL (read-model-store.ts), and the query API reads them with SQL
 * that uses features TypeORM does not model (keyset cursors, tsvector).
 */
@Entity({ schema: READ_MODEL_SCHEMA, name: 'incidents' })
export class IncidentEntity {
  @PrimaryColumn('text', { name: 'tenant_id' }) tenantId!: string;
  @PrimaryColumn('text', { name: 'incident_id' }) incidentId!: string;
  @Column('boolean') opened!: boolean;
  @Column('text') title!: string;
  @Column('text') status!: string;
  @Column('text', { name: 'analyst_status' }) analystStatus!: string;
  @Column('double precision', { nullable: true }) priority!: number | null;
  @Column('double precision', { name: 'analyst_priority', nullable: true }) analystPriority!:
    number | null;
  @Column('jsonb', { nullable: true }) explanation!: unknown;
  @Column('text', { nullable: true }) assignee!: string | null;
  @Column('text', { nullable: true }) verdict!: string | null;
  @Column('text', { name: 'verdict_notes', nullable: true }) verdictNotes!: string | null;
  @Column('integer', { name: 'alert_count' }) alertCount!: number;
  @Column('jsonb', { name: 'repeat_counts' }) repeatCounts!: Record<string, number>;
  @Column('integer', { name: 'distinct_rules' }) distinctRules!: number;
  @Column('text', { array: true }) rules!: string[];
  @Column('text', { array: true }) tactics!: string[];
  @Column('jsonb') entities!: unknown;
  @Column('timestamptz', { name: 'first_seen', nullable: true }) firstSeen!: Date | null;
  @Column('timestamptz', { name: 'last_seen', nullable: true }) lastSeen!: Date | null;
  @Column('timestamptz', { name: 'opened_at', nullable: true }) openedAt!: Date | null;
  @Column('timestamptz', { name: 'acknowledged_at', nullable: true }) acknowledgedAt!: Date | null;
  @Column('timestamptz', { name: 'closed_at', nullable: true }) closedAt!: Date | null;
  @Column('double precision', { name: 'max_severity' }) maxSeverity!: number;
  @Column('text', { name: 'campaign_id', nullable: true }) campaignId!: string | null;
  @Column('text', { name: 'merged_into', nullable: true }) mergedInto!: string | null;
  @Column('text', { name: 'absorbed_incident_ids', array: true }) absorbedIncidentIds!: string[];
  @Column('boolean') escalated!: boolean;
  @Column('text', { name: 'correlation_closed_reason', nullable: true }) correlationClosedReason!:
    string | null;
  @Column('integer', { name: 'last_incident_seq' }) lastIncidentSeq!: number;
  @Column('integer', { name: 'last_feedback_seq' }) lastFeedbackSeq!: number;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
  /** Feeds the generated `search` tsvector column, which TypeORM does not model. */
  @Column('text', { name: 'search_text' }) searchText!: string;
}

@Entity({ schema: READ_MODEL_SCHEMA, name: 'incident_alerts' })
export class IncidentAlertEntity {
  @PrimaryColumn('text', { name: 'tenant_id' }) tenantId!: string;
  @PrimaryColumn('text', { name: 'incident_id' }) incidentId!: string;
  @PrimaryColumn('text', { name: 'alert_id' }) alertId!: string;
  @Column('text', { name: 'source_system' }) sourceSystem!: string;
  @Column('timestamptz', { name: 'observed_at' }) observedAt!: Date;
  @Column('timestamptz', { name: 'ingested_at' }) ingestedAt!: Date;
  @Column('text', { nullable: true }) product!: string | null;
  @Column('text', { name: 'rule_id', nullable: true }) ruleId!: string | null;
  @Column('text', { name: 'rule_name', nullable: true }) ruleName!: string | null;
  @Column('text') title!: string;
  @Column('double precision') severity!: number;
  @Column('double precision', { nullable: true }) confidence!: number | null;
  @Column('text', { nullable: true }) category!: string | null;
  @Column('text', { array: true }) tactics!: string[];
  @Column('text', { array: true }) techniques!: string[];
  @Column('jsonb') entities!: unknown;
  @Column('jsonb', { name: 'threat_intel' }) threatIntel!: unknown;
  @Column('jsonb', { name: 'linked_by' }) linkedBy!: unknown;
  @Column('text') via!: string;
  @Column('timestamptz', { name: 'attached_at' }) attachedAt!: Date;
  @Column('text', { name: 'event_id' }) eventId!: string;
}

@Entity({ schema: READ_MODEL_SCHEMA, name: 'incident_entities' })
export class IncidentEntityLinkEntity {
  @PrimaryColumn('text', { name: 'tenant_id' }) tenantId!: string;
  @PrimaryColumn('text', { name: 'entity_type' }) entityType!: string;
  @PrimaryColumn('text') value!: string;
  @PrimaryColumn('text', { name: 'incident_id' }) incidentId!: string;
  @Column('timestamptz', { name: 'first_seen' }) firstSeen!: Date;
  @Column('timestamptz', { name: 'last_seen' }) lastSeen!: Date;
}

@Entity({ schema: READ_MODEL_SCHEMA, name: 'entities' })
export class EntitySummaryEntity {
  @PrimaryColumn('text', { name: 'tenant_id' }) tenantId!: string;
  @PrimaryColumn('text', { name: 'entity_type' }) entityType!: string;
  @PrimaryColumn('text') value!: string;
  @Column('integer', { name: 'incident_count' }) incidentCount!: number;
  @Column('timestamptz', { name: 'last_seen' }) lastSeen!: Date;
}

@Entity({ schema: READ_MODEL_SCHEMA, name: 'incident_timeline' })
export class TimelineEntity {
  @PrimaryColumn('text', { name: 'tenant_id' }) tenantId!: string;
  @PrimaryColumn('text', { name: 'event_id' }) eventId!: string;
  @Column('text', { name: 'incident_id' }) incidentId!: string;
  @Column('text') stream!: string;
  @Column('integer') sequence!: number;
  @Column('text') type!: string;
  @Column('timestamptz', { name: 'occurred_at' }) occurredAt!: Date;
  @Column('text') actor!: string;
  @Column('text', { name: 'causation_id' }) causationId!: string;
  @Column('text') summary!: string;
  @Column('jsonb') details!: unknown;
}

@Entity({ schema: READ_MODEL_SCHEMA, name: 'tenant_hourly_stats' })
export class TenantHourlyStatsEntity {
  @PrimaryColumn('text', { name: 'tenant_id' }) tenantId!: string;
  @PrimaryColumn('timestamptz') hour!: Date;
  @Column('integer', { name: 'alerts_in' }) alertsIn!: number;
  @Column('integer', { name: 'incidents_opened' }) incidentsOpened!: number;
  @Column('integer') escalations!: number;
}

@Entity({ schema: READ_MODEL_SCHEMA, name: 'projection_checkpoints' })
export class ProjectionCheckpointEntity {
  @PrimaryColumn('text') projection!: string;
  @PrimaryColumn('text') topic!: string;
  @PrimaryColumn('integer') partition!: number;
  @Column('bigint', { name: 'next_offset' }) nextOffset!: string;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt!: Date;
}
