import { ANALYST_VERDICTS, API_KEY_ROLES, INCIDENT_STATUSES } from '@soc/contracts';
import { READ_MODEL_TABLES } from './read-model/tables';
import { APP_ROLE, readModelAccessDdl } from './service-roles';

export { APP_ROLE };

/**
 * Names and DDL shared by the migration and the projector's rebuild. The read model lives in
 * its own schema so a rebuild can fill a shadow copy and swap it in with two schema renames;
 * tenants, keys, assets and the feedback sequence counters are not projections and stay in
 * `public`.
 */
export const READ_MODEL_SCHEMA = 'read_model';
export const TENANT_SETTING = 'app.tenant_id';
/** Postgres NOTIFY channel the projector signals after each committed batch. */
export const READ_MODEL_CHANNEL = 'soc_read_model';

/** A CHECK list of a const list: `'a', 'b'` (the values are the project's own literals). */
const sqlList = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(', ');

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a safe SQL identifier: ${name}`);
  return name;
}

/** The isolation predicate of every tenant table; an unset tenant matches no row. */
const TENANT_PREDICATE = `tenant_id = NULLIF(current_setting('${TENANT_SETTING}', true), '')`;

/**
 * ROW LEVEL SECURITY for one tenant table. FORCE makes it bind the table owner too; only
 * superusers and BYPASSRLS roles (the migration, a rebuild) are exempt, and roles a further
 * policy names (service-roles.ts: the projector, the correlator's asset reads).
 */
export function tenantIsolationDdl(table: string): string[] {
  return [
    `ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`,
    `ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`,
    `CREATE POLICY tenant_isolation ON ${table} USING (${TENANT_PREDICATE}) WITH CHECK (${TENANT_PREDICATE})`,
  ];
}

export const streamPositionsDdl = (schemaName: string, ifNotExists = false): string =>
  `CREATE TABLE ${ifNotExists ? 'IF NOT EXISTS ' : ''}${assertIdentifier(schemaName)}.stream_positions (
      tenant_id text NOT NULL,
      stream_id text NOT NULL,
      last_sequence integer NOT NULL,
      PRIMARY KEY (tenant_id, stream_id)
    )`;

/**
 * The `stories` table and the index that finds a story's members among the incidents (a
 * member's story id is its campaign id, or its own id when it has none).
 */
export const storyDdl = (schemaName: string, ifNotExists = false): string[] => {
  const s = assertIdentifier(schemaName);
  const maybe = ifNotExists ? 'IF NOT EXISTS ' : '';
  return [
    `CREATE INDEX ${maybe}incidents_by_story ON ${s}.incidents
      (tenant_id, (COALESCE(campaign_id, incident_id))) WHERE merged_into IS NULL`,
    `CREATE TABLE ${maybe}${s}.stories (
      tenant_id text NOT NULL,
      story_id text NOT NULL,
      campaign_id text,
      title text NOT NULL,
      priority double precision,
      lead_incident_id text NOT NULL,
      incident_ids text[] NOT NULL,
      incident_count integer NOT NULL,
      open_incidents integer NOT NULL,
      alert_count integer NOT NULL,
      status text NOT NULL CHECK (status IN (${sqlList(INCIDENT_STATUSES)})),
      escalated boolean NOT NULL,
      rules text[] NOT NULL,
      tactics text[] NOT NULL,
      entities jsonb NOT NULL,
      host_count integer NOT NULL,
      first_seen timestamptz,
      last_seen timestamptz,
      summary text NOT NULL,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, story_id)
    )`,
    `CREATE INDEX ${maybe}stories_by_priority ON ${s}.stories
      (tenant_id, (COALESCE(priority, -1)) DESC, last_seen DESC, story_id DESC)`,
    `CREATE INDEX ${maybe}stories_by_last_seen ON ${s}.stories (tenant_id, last_seen DESC, story_id DESC)`,
  ];
};

export const minuteStatsDdl = (schemaName: string, ifNotExists = false): string =>
  `CREATE TABLE ${ifNotExists ? 'IF NOT EXISTS ' : ''}${assertIdentifier(schemaName)}.tenant_minute_stats (
      tenant_id text NOT NULL,
      minute timestamptz NOT NULL,
      alerts_in integer NOT NULL DEFAULT 0,
      incidents_opened integer NOT NULL DEFAULT 0,
      escalations integer NOT NULL DEFAULT 0,
      PRIMARY KEY (tenant_id, minute)
    )`;

export const tenantConfigHistoryDdl = (schemaName: string, ifNotExists = false): string =>
  `CREATE TABLE ${ifNotExists ? 'IF NOT EXISTS ' : ''}${assertIdentifier(schemaName)}.tenant_config_history (
      tenant_id text NOT NULL,
      version integer NOT NULL,
      event_id text NOT NULL,
      config_event_id text NOT NULL,
      changed_by text NOT NULL,
      change text NOT NULL,
      proposal_id text,
      reason text NOT NULL,
      config jsonb NOT NULL,
      policy jsonb NOT NULL,
      problems text[] NOT NULL,
      changed_at timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, version)
    )`;

/** Read-model tables that hold a tenant's rows: row level security applies to each. */
const READ_MODEL_TENANT_TABLES = READ_MODEL_TABLES.filter((spec) =>
  spec.columns.some((c) => c.column === 'tenant_id'),
).map((spec) => spec.table);

/**
 * The projection tables in `schema`; the query API may only read them, the projector writes
 * them (service-roles.ts). Their columns are
 * those of the table specs (read-model/tables.ts): a test holds the two together.
 */
export function readModelDdl(schemaName: string): string[] {
  const s = assertIdentifier(schemaName);
  return [
    `CREATE SCHEMA ${s}`,
    `CREATE TABLE ${s}.incidents (
      tenant_id text NOT NULL,
      incident_id text NOT NULL,
      opened boolean NOT NULL,
      title text NOT NULL,
      status text NOT NULL CHECK (status IN (${sqlList(INCIDENT_STATUSES)})),
      analyst_status text NOT NULL CHECK (analyst_status IN (${sqlList(INCIDENT_STATUSES)})),
      priority double precision,
      analyst_priority double precision,
      explanation jsonb,
      assignee text,
      verdict text CHECK (verdict IN (${sqlList(ANALYST_VERDICTS)})),
      verdict_notes text,
      alert_count integer NOT NULL,
      repeat_counts jsonb NOT NULL,
      distinct_rules integer NOT NULL,
      rules text[] NOT NULL,
      tactics text[] NOT NULL,
      entities jsonb NOT NULL,
      first_seen timestamptz,
      last_seen timestamptz,
      opened_at timestamptz,
      acknowledged_at timestamptz,
      closed_at timestamptz,
      max_severity double precision NOT NULL,
      campaign_id text,
      merged_into text,
      absorbed_incident_ids text[] NOT NULL,
      escalated boolean NOT NULL,
      correlation_closed_reason text,
      last_incident_seq integer NOT NULL,
      last_feedback_seq integer NOT NULL,
      updated_at timestamptz NOT NULL,
      search_text text NOT NULL,
      search tsvector GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED,
      PRIMARY KEY (tenant_id, incident_id)
    )`,
    `CREATE INDEX incidents_by_priority ON ${s}.incidents
      (tenant_id, (COALESCE(priority, -1)) DESC, last_seen DESC, incident_id DESC)`,
    `CREATE INDEX incidents_by_last_seen ON ${s}.incidents (tenant_id, last_seen DESC, incident_id DESC)`,
    `CREATE INDEX incidents_search ON ${s}.incidents USING gin (search)`,
    `CREATE INDEX incidents_rules ON ${s}.incidents USING gin (rules)`,
    `CREATE INDEX incidents_tactics ON ${s}.incidents USING gin (tactics)`,
    `CREATE INDEX incidents_merged_into ON ${s}.incidents (tenant_id, merged_into) WHERE merged_into IS NOT NULL`,
    ...storyDdl(s),

    `CREATE TABLE ${s}.incident_alerts (
      tenant_id text NOT NULL,
      incident_id text NOT NULL,
      alert_id text NOT NULL,
      source_system text NOT NULL,
      observed_at timestamptz NOT NULL,
      ingested_at timestamptz NOT NULL,
      product text,
      rule_id text,
      rule_name text,
      title text NOT NULL,
      severity double precision NOT NULL,
      confidence double precision,
      category text,
      tactics text[] NOT NULL,
      techniques text[] NOT NULL,
      entities jsonb NOT NULL,
      threat_intel jsonb NOT NULL,
      linked_by jsonb NOT NULL,
      via text NOT NULL CHECK (via IN ('opened', 'attached', 'late', 'suppressed')),
      attached_at timestamptz NOT NULL,
      event_id text NOT NULL,
      original_observed_at timestamptz,
      PRIMARY KEY (tenant_id, incident_id, alert_id)
    )`,
    `CREATE INDEX incident_alerts_by_alert ON ${s}.incident_alerts (tenant_id, alert_id)`,
    `CREATE INDEX incident_alerts_by_time ON ${s}.incident_alerts (tenant_id, incident_id, observed_at)`,

    `CREATE TABLE ${s}.incident_entities (
      tenant_id text NOT NULL,
      entity_type text NOT NULL,
      value text NOT NULL,
      incident_id text NOT NULL,
      first_seen timestamptz NOT NULL,
      last_seen timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, entity_type, value, incident_id)
    )`,
    `CREATE INDEX incident_entities_by_incident ON ${s}.incident_entities (tenant_id, incident_id)`,

    `CREATE TABLE ${s}.entities (
      tenant_id text NOT NULL,
      entity_type text NOT NULL,
      value text NOT NULL,
      incident_count integer NOT NULL,
      last_seen timestamptz NOT NULL,
      PRIMARY KEY (tenant_id, entity_type, value)
    )`,

    // The audit trail: written once per event, never updated (the API role may only read it).
    `CREATE TABLE ${s}.incident_timeline (
      tenant_id text NOT NULL,
      incident_id text NOT NULL,
      event_id text NOT NULL,
      stream text NOT NULL CHECK (stream IN ('incident', 'feedback')),
      sequence integer NOT NULL,
      type text NOT NULL,
      occurred_at timestamptz NOT NULL,
      actor text NOT NULL,
      causation_id text NOT NULL,
      summary text NOT NULL,
      details jsonb NOT NULL,
      PRIMARY KEY (tenant_id, event_id)
    )`,
    `CREATE INDEX incident_timeline_by_incident ON ${s}.incident_timeline
      (tenant_id, incident_id, occurred_at, stream, sequence)`,

    `CREATE TABLE ${s}.tenant_hourly_stats (
      tenant_id text NOT NULL,
      hour timestamptz NOT NULL,
      alerts_in integer NOT NULL DEFAULT 0,
      incidents_opened integer NOT NULL DEFAULT 0,
      escalations integer NOT NULL DEFAULT 0,
      PRIMARY KEY (tenant_id, hour)
    )`,

    minuteStatsDdl(s),

    // Per-stream sequence of streams that have no incident row (`unattached:<tenant>`), so
    // their redelivered events are recognised as the incident rows recognise theirs.
    streamPositionsDdl(s),
    tenantConfigHistoryDdl(s),

    // Not a tenant table: one row per consumed partition, the projection's source of truth.
    `CREATE TABLE ${s}.projection_checkpoints (
      projection text NOT NULL,
      topic text NOT NULL,
      partition integer NOT NULL,
      next_offset bigint NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (projection, topic, partition)
    )`,

    ...READ_MODEL_TENANT_TABLES.flatMap((table) => tenantIsolationDdl(`${s}.${table}`)),
    `GRANT USAGE ON SCHEMA ${s} TO ${APP_ROLE}`,
    ...READ_MODEL_TENANT_TABLES.map((table) => `GRANT SELECT ON ${s}.${table} TO ${APP_ROLE}`),
    ...readModelAccessDdl(s),
  ];
}

/** Tables the query API owns (not projections): created once by the migration. */
export function applicationTablesDdl(): string[] {
  const tenantTables = ['tenants', 'api_keys', 'assets', 'feedback_sequences'];
  return [
    `CREATE TABLE public.tenants (
      tenant_id text PRIMARY KEY CHECK (tenant_id ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$'),
      name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE public.api_keys (
      key_id text PRIMARY KEY,
      tenant_id text NOT NULL REFERENCES public.tenants (tenant_id),
      role text NOT NULL CHECK (role IN (${sqlList(API_KEY_ROLES)})),
      name text NOT NULL,
      salt bytea NOT NULL,
      secret_hash bytea NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz
    )`,
    `CREATE INDEX api_keys_by_tenant ON public.api_keys (tenant_id)`,
    `CREATE TABLE public.assets (
      tenant_id text NOT NULL,
      entity_type text NOT NULL,
      value text NOT NULL,
      criticality smallint NOT NULL CHECK (criticality BETWEEN 1 AND 5),
      owner text,
      tags text[] NOT NULL DEFAULT '{}',
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, entity_type, value)
    )`,
    // The API's own per-incident counter for the feedback stream (see FeedbackService).
    `CREATE TABLE public.feedback_sequences (
      tenant_id text NOT NULL,
      incident_id text NOT NULL,
      last_sequence integer NOT NULL,
      PRIMARY KEY (tenant_id, incident_id)
    )`,
    ...tenantTables.flatMap((table) => tenantIsolationDdl(`public.${table}`)),
    `GRANT SELECT, INSERT ON public.tenants TO ${APP_ROLE}`,
    `GRANT SELECT, INSERT, UPDATE ON public.api_keys TO ${APP_ROLE}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON public.assets TO ${APP_ROLE}`,
    `GRANT SELECT, INSERT, UPDATE ON public.feedback_sequences TO ${APP_ROLE}`,
    // Authentication happens before the tenant is known, so the key lookup reads past RLS
    // through a definer function that returns only the one key asked for.
    `CREATE FUNCTION public.soc_api_key_lookup(p_key_id text)
      RETURNS TABLE (key_id text, tenant_id text, role text, name text, salt bytea, secret_hash bytea)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $fn$
        SELECT k.key_id, k.tenant_id, k.role, k.name, k.salt, k.secret_hash
        FROM public.api_keys k
        WHERE k.key_id = p_key_id AND k.revoked_at IS NULL
      $fn$`,
    `REVOKE ALL ON FUNCTION public.soc_api_key_lookup(text) FROM PUBLIC`,
    `GRANT EXECUTE ON FUNCTION public.soc_api_key_lookup(text) TO ${APP_ROLE}`,
  ];
}
