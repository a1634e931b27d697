import type { AlertSummary, EntityType, EpochMs } from '@soc/contracts';
import type {
  HourlyStatsDelta,
  IncidentAlertRow,
  IncidentView,
  StoryView,
  TenantConfigVersion,
  TimelineEntry,
} from '@soc/domain';
import { bigintText, epochMs, same, tableOf, type RowOf } from './columns';

/** Words the free-text filter matches: title, ids, rules, tactics, entities, people. */
function searchTextOf(view: IncidentView): string {
  return [
    view.title,
    view.incidentId,
    ...view.rules,
    ...view.tactics,
    ...view.entities.map((e) => e.value),
    view.assignee ?? '',
    view.campaignId ?? '',
    view.verdictNotes ?? '',
  ]
    .filter(Boolean)
    .join(' ');
}

export const INCIDENTS = tableOf<IncidentView>()({
  table: 'incidents',
  primaryKey: ['tenant_id', 'incident_id'],
  columns: [
    { column: 'tenant_id', pg: 'text', key: 'tenantId', codec: same, nullable: false },
    { column: 'incident_id', pg: 'text', key: 'incidentId', codec: same, nullable: false },
    { column: 'opened', pg: 'boolean', key: 'opened', codec: same, nullable: false },
    { column: 'title', pg: 'text', key: 'title', codec: same, nullable: false },
    { column: 'status', pg: 'text', key: 'status', codec: same, nullable: false },
    { column: 'analyst_status', pg: 'text', key: 'analystStatus', codec: same, nullable: false },
    { column: 'priority', pg: 'double precision', key: 'priority', codec: same, nullable: true },
    {
      column: 'analyst_priority',
      pg: 'double precision',
      key: 'analystPriority',
      codec: same,
      nullable: true,
    },
    { column: 'explanation', pg: 'jsonb', key: 'explanation', codec: same, nullable: true },
    { column: 'assignee', pg: 'text', key: 'assignee', codec: same, nullable: true },
    { column: 'verdict', pg: 'text', key: 'verdict', codec: same, nullable: true },
    { column: 'verdict_notes', pg: 'text', key: 'verdictNotes', codec: same, nullable: true },
    { column: 'alert_count', pg: 'integer', key: 'alertCount', codec: same, nullable: false },
    { column: 'repeat_counts', pg: 'jsonb', key: 'repeatCounts', codec: same, nullable: false },
    {
      column: 'distinct_rules',
      pg: 'integer',
      key: 'distinctRules',
      codec: same,
      nullable: false,
    },
    { column: 'rules', pg: 'text[]', key: 'rules', codec: same, nullable: false },
    { column: 'tactics', pg: 'text[]', key: 'tactics', codec: same, nullable: false },
    { column: 'entities', pg: 'jsonb', key: 'entities', codec: same, nullable: false },
    { column: 'first_seen', pg: 'timestamptz', key: 'firstSeen', codec: epochMs, nullable: true },
    { column: 'last_seen', pg: 'timestamptz', key: 'lastSeen', codec: epochMs, nullable: true },
    { column: 'opened_at', pg: 'timestamptz', key: 'openedAt', codec: epochMs, nullable: true },
    {
      column: 'acknowledged_at',
      pg: 'timestamptz',
      key: 'acknowledgedAt',
      codec: epochMs,
      nullable: true,
    },
    { column: 'closed_at', pg: 'timestamptz', key: 'closedAt', codec: epochMs, nullable: true },
    {
      column: 'max_severity',
      pg: 'double precision',
      key: 'maxSeverity',
      codec: same,
      nullable: false,
    },
    { column: 'campaign_id', pg: 'text', key: 'campaignId', codec: same, nullable: true },
    { column: 'merged_into', pg: 'text', key: 'mergedInto', codec: same, nullable: true },
    {
      column: 'absorbed_incident_ids',
      pg: 'text[]',
      key: 'absorbedIncidentIds',
      codec: same,
      nullable: false,
    },
    { column: 'escalated', pg: 'boolean', key: 'escalated', codec: same, nullable: false },
    {
      column: 'correlation_closed_reason',
      pg: 'text',
      key: 'correlationClosedReason',
      codec: same,
      nullable: true,
    },
    {
      column: 'last_incident_seq',
      pg: 'integer',
      key: 'lastIncidentSeq',
      codec: same,
      nullable: false,
    },
    {
      column: 'last_feedback_seq',
      pg: 'integer',
      key: 'lastFeedbackSeq',
      codec: same,
      nullable: false,
    },
    { column: 'updated_at', pg: 'timestamptz', key: 'updatedAt', codec: epochMs, nullable: false },
    { column: 'search_text', pg: 'text', derive: searchTextOf, nullable: false },
  ],
  generated: [{ column: 'search', pg: 'tsvector' }],
});

/** A row of `incidents` as pg returns it (also what the query API reads). */
export type IncidentRow = RowOf<typeof INCIDENTS>;

/** Attack stories (read-model/story-view.ts): recomputed from their member incident rows. */
export const STORIES = tableOf<StoryView>()({
  table: 'stories',
  primaryKey: ['tenant_id', 'story_id'],
  columns: [
    { column: 'tenant_id', pg: 'text', key: 'tenantId', codec: same, nullable: false },
    { column: 'story_id', pg: 'text', key: 'storyId', codec: same, nullable: false },
    { column: 'campaign_id', pg: 'text', key: 'campaignId', codec: same, nullable: true },
    { column: 'title', pg: 'text', key: 'title', codec: same, nullable: false },
    { column: 'priority', pg: 'double precision', key: 'priority', codec: same, nullable: true },
    {
      column: 'lead_incident_id',
      pg: 'text',
      key: 'leadIncidentId',
      codec: same,
      nullable: false,
    },
    { column: 'incident_ids', pg: 'text[]', key: 'incidentIds', codec: same, nullable: false },
    {
      column: 'incident_count',
      pg: 'integer',
      key: 'incidentCount',
      codec: same,
      nullable: false,
    },
    {
      column: 'open_incidents',
      pg: 'integer',
      key: 'openIncidents',
      codec: same,
      nullable: false,
    },
    { column: 'alert_count', pg: 'integer', key: 'alertCount', codec: same, nullable: false },
    { column: 'status', pg: 'text', key: 'status', codec: same, nullable: false },
    { column: 'escalated', pg: 'boolean', key: 'escalated', codec: same, nullable: false },
    { column: 'rules', pg: 'text[]', key: 'rules', codec: same, nullable: false },
    { column: 'tactics', pg: 'text[]', key: 'tactics', codec: same, nullable: false },
    { column: 'entities', pg: 'jsonb', key: 'entities', codec: same, nullable: false },
    { column: 'host_count', pg: 'integer', key: 'hostCount', codec: same, nullable: false },
    { column: 'first_seen', pg: 'timestamptz', key: 'firstSeen', codec: epochMs, nullable: true },
    { column: 'last_seen', pg: 'timestamptz', key: 'lastSeen', codec: epochMs, nullable: true },
    { column: 'summary', pg: 'text', key: 'summary', codec: same, nullable: false },
    { column: 'updated_at', pg: 'timestamptz', key: 'updatedAt', codec: epochMs, nullable: false },
  ],
});

/** A row of `stories` as pg returns it (also what the query API reads). */
export type StoryRow = RowOf<typeof STORIES>;

/** An `incident_alerts` row with the alert's fields beside the link's, as the table has them. */
export type FlatIncidentAlert = Omit<IncidentAlertRow, 'alert'> & AlertSummary;

export const flattenAlert = ({ alert, ...link }: IncidentAlertRow): FlatIncidentAlert => ({
  ...link,
  ...alert,
});

export const INCIDENT_ALERTS = tableOf<FlatIncidentAlert>()({
  table: 'incident_alerts',
  primaryKey: ['tenant_id', 'incident_id', 'alert_id'],
  columns: [
    { column: 'tenant_id', pg: 'text', key: 'tenantId', codec: same, nullable: false },
    { column: 'incident_id', pg: 'text', key: 'incidentId', codec: same, nullable: false },
    { column: 'alert_id', pg: 'text', key: 'alertId', codec: same, nullable: false },
    { column: 'source_system', pg: 'text', key: 'sourceSystem', codec: same, nullable: false },
    {
      column: 'observed_at',
      pg: 'timestamptz',
      key: 'observedAt',
      codec: epochMs,
      nullable: false,
    },
    {
      column: 'ingested_at',
      pg: 'timestamptz',
      key: 'ingestedAt',
      codec: epochMs,
      nullable: false,
    },
    { column: 'product', pg: 'text', key: 'product', codec: same, nullable: true },
    { column: 'rule_id', pg: 'text', key: 'ruleId', codec: same, nullable: true },
    { column: 'rule_name', pg: 'text', key: 'ruleName', codec: same, nullable: true },
    { column: 'title', pg: 'text', key: 'title', codec: same, nullable: false },
    { column: 'severity', pg: 'double precision', key: 'severity', codec: same, nullable: false },
    {
      column: 'confidence',
      pg: 'double precision',
      key: 'confidence',
      codec: same,
      nullable: true,
    },
    { column: 'category', pg: 'text', key: 'category', codec: same, nullable: true },
    { column: 'tactics', pg: 'text[]', key: 'tactics', codec: same, nullable: false },
    { column: 'techniques', pg: 'text[]', key: 'techniques', codec: same, nullable: false },
    { column: 'entities', pg: 'jsonb', key: 'entities', codec: same, nullable: false },
    { column: 'threat_intel', pg: 'jsonb', key: 'threatIntel', codec: same, nullable: false },
    { column: 'linked_by', pg: 'jsonb', key: 'linkedBy', codec: same, nullable: false },
    { column: 'via', pg: 'text', key: 'via', codec: same, nullable: false },
    {
      column: 'attached_at',
      pg: 'timestamptz',
      key: 'attachedAt',
      codec: epochMs,
      nullable: false,
    },
    { column: 'event_id', pg: 'text', key: 'eventId', codec: same, nullable: false },
    {
      column: 'original_observed_at',
      pg: 'timestamptz',
      key: 'originalObservedAt',
      codec: epochMs,
      nullable: true,
    },
  ],
});

/** One entity in one incident, with its first and last sighting there. */
export interface EntityLink {
  readonly tenantId: string;
  readonly type: EntityType;
  readonly value: string;
  readonly incidentId: string;
  readonly firstSeen: EpochMs;
  readonly lastSeen: EpochMs;
}

export const INCIDENT_ENTITIES = tableOf<EntityLink>()({
  table: 'incident_entities',
  primaryKey: ['tenant_id', 'entity_type', 'value', 'incident_id'],
  columns: [
    { column: 'tenant_id', pg: 'text', key: 'tenantId', codec: same, nullable: false },
    { column: 'entity_type', pg: 'text', key: 'type', codec: same, nullable: false },
    { column: 'value', pg: 'text', key: 'value', codec: same, nullable: false },
    { column: 'incident_id', pg: 'text', key: 'incidentId', codec: same, nullable: false },
    { column: 'first_seen', pg: 'timestamptz', key: 'firstSeen', codec: epochMs, nullable: false },
    { column: 'last_seen', pg: 'timestamptz', key: 'lastSeen', codec: epochMs, nullable: false },
  ],
});

/** One entity across a tenant's incidents: recomputed from `incident_entities`. */
export interface EntitySummary {
  readonly tenantId: string;
  readonly type: EntityType;
  readonly value: string;
  readonly incidentCount: number;
  readonly lastSeen: EpochMs;
}

export const ENTITIES = tableOf<EntitySummary>()({
  table: 'entities',
  primaryKey: ['tenant_id', 'entity_type', 'value'],
  columns: [
    { column: 'tenant_id', pg: 'text', key: 'tenantId', codec: same, nullable: false },
    { column: 'entity_type', pg: 'text', key: 'type', codec: same, nullable: false },
    { column: 'value', pg: 'text', key: 'value', codec: same, nullable: false },
    {
      column: 'incident_count',
      pg: 'integer',
      key: 'incidentCount',
      codec: same,
      nullable: false,
    },
    { column: 'last_seen', pg: 'timestamptz', key: 'lastSeen', codec: epochMs, nullable: false },
  ],
});

export const INCIDENT_TIMELINE = tableOf<TimelineEntry>()({
  table: 'incident_timeline',
  primaryKey: ['tenant_id', 'event_id'],
  columns: [
    { column: 'tenant_id', pg: 'text', key: 'tenantId', codec: same, nullable: false },
    { column: 'incident_id', pg: 'text', key: 'incidentId', codec: same, nullable: false },
    { column: 'event_id', pg: 'text', key: 'eventId', codec: same, nullable: false },
    { column: 'stream', pg: 'text', key: 'stream', codec: same, nullable: false },
    { column: 'sequence', pg: 'integer', key: 'sequence', codec: same, nullable: false },
    { column: 'type', pg: 'text', key: 'type', codec: same, nullable: false },
    {
      column: 'occurred_at',
      pg: 'timestamptz',
      key: 'occurredAt',
      codec: epochMs,
      nullable: false,
    },
    { column: 'actor', pg: 'text', key: 'actor', codec: same, nullable: false },
    { column: 'causation_id', pg: 'text', key: 'causationId', codec: same, nullable: false },
    { column: 'summary', pg: 'text', key: 'summary', codec: same, nullable: false },
    { column: 'details', pg: 'jsonb', key: 'details', codec: same, nullable: false },
  ],
});

const COUNTER_COLUMNS = [
  { column: 'alerts_in', pg: 'integer', key: 'alertsIn', codec: same, nullable: false },
  {
    column: 'incidents_opened',
    pg: 'integer',
    key: 'incidentsOpened',
    codec: same,
    nullable: false,
  },
  { column: 'escalations', pg: 'integer', key: 'escalations', codec: same, nullable: false },
] as const;

/** The counters summed per hour. */
export type HourlyStats = Omit<HourlyStatsDelta, 'minute'>;

export const TENANT_HOURLY_STATS = tableOf<HourlyStats>()({
  table: 'tenant_hourly_stats',
  primaryKey: ['tenant_id', 'hour'],
  columns: [
    { column: 'tenant_id', pg: 'text', key: 'tenantId', codec: same, nullable: false },
    { column: 'hour', pg: 'timestamptz', key: 'hour', codec: epochMs, nullable: false },
    ...COUNTER_COLUMNS,
  ],
});

/** The same counters per minute: what a chart of the last minutes or hours draws. */
export type MinuteStats = Omit<HourlyStatsDelta, 'hour'>;

export const TENANT_MINUTE_STATS = tableOf<MinuteStats>()({
  table: 'tenant_minute_stats',
  primaryKey: ['tenant_id', 'minute'],
  columns: [
    { column: 'tenant_id', pg: 'text', key: 'tenantId', codec: same, nullable: false },
    { column: 'minute', pg: 'timestamptz', key: 'minute', codec: epochMs, nullable: false },
    ...COUNTER_COLUMNS,
  ],
});

/** The last applied sequence of a stream that has no incident row (`unattached:<tenant>`). */
export interface StreamPosition {
  readonly tenantId: string;
  readonly streamId: string;
  readonly lastSequence: number;
}

export const STREAM_POSITIONS = tableOf<StreamPosition>()({
  table: 'stream_positions',
  primaryKey: ['tenant_id', 'stream_id'],
  columns: [
    { column: 'tenant_id', pg: 'text', key: 'tenantId', codec: same, nullable: false },
    { column: 'stream_id', pg: 'text', key: 'streamId', codec: same, nullable: false },
    { column: 'last_sequence', pg: 'integer', key: 'lastSequence', codec: same, nullable: false },
  ],
});

/** The audit of tenant configuration: every version the correlator took in, never updated. */
export const TENANT_CONFIG_HISTORY = tableOf<TenantConfigVersion>()({
  table: 'tenant_config_history',
  primaryKey: ['tenant_id', 'version'],
  columns: [
    { column: 'tenant_id', pg: 'text', key: 'tenantId', codec: same, nullable: false },
    { column: 'version', pg: 'integer', key: 'version', codec: same, nullable: false },
    { column: 'event_id', pg: 'text', key: 'eventId', codec: same, nullable: false },
    { column: 'config_event_id', pg: 'text', key: 'configEventId', codec: same, nullable: false },
    { column: 'changed_by', pg: 'text', key: 'changedBy', codec: same, nullable: false },
    { column: 'change', pg: 'text', key: 'change', codec: same, nullable: false },
    { column: 'proposal_id', pg: 'text', key: 'proposalId', codec: same, nullable: true },
    { column: 'reason', pg: 'text', key: 'reason', codec: same, nullable: false },
    { column: 'config', pg: 'jsonb', key: 'config', codec: same, nullable: false },
    { column: 'policy', pg: 'jsonb', key: 'policy', codec: same, nullable: false },
    { column: 'problems', pg: 'text[]', key: 'problems', codec: same, nullable: false },
    { column: 'changed_at', pg: 'timestamptz', key: 'changedAt', codec: epochMs, nullable: false },
  ],
});

/** Where a projection stands in one partition: the next offset to apply. */
export interface ProjectionCheckpoint {
  readonly projection: string;
  readonly topic: string;
  readonly partition: number;
  readonly nextOffset: bigint;
  /** Wall clock of the last write: says when, not what (left out of snapshots). */
  readonly updatedAt: EpochMs;
}

export const PROJECTION_CHECKPOINTS = tableOf<ProjectionCheckpoint>()({
  table: 'projection_checkpoints',
  primaryKey: ['projection', 'topic', 'partition'],
  columns: [
    { column: 'projection', pg: 'text', key: 'projection', codec: same, nullable: false },
    { column: 'topic', pg: 'text', key: 'topic', codec: same, nullable: false },
    { column: 'partition', pg: 'integer', key: 'partition', codec: same, nullable: false },
    { column: 'next_offset', pg: 'bigint', key: 'nextOffset', codec: bigintText, nullable: false },
    { column: 'updated_at', pg: 'timestamptz', key: 'updatedAt', codec: epochMs, nullable: false },
  ],
});

/** Every table of the read model schema, in creation order. */
export const READ_MODEL_TABLES = [
  INCIDENTS,
  INCIDENT_ALERTS,
  INCIDENT_ENTITIES,
  ENTITIES,
  INCIDENT_TIMELINE,
  STORIES,
  TENANT_HOURLY_STATS,
  TENANT_MINUTE_STATS,
  STREAM_POSITIONS,
  TENANT_CONFIG_HISTORY,
  PROJECTION_CHECKPOINTS,
] as const;
