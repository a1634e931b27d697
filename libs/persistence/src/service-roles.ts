import { READ_MODEL_TABLES } from './read-model/tables';

/**
 * The database roles. Each service connects as a login that is a member of one NOLOGIN group
 * role below; none of them owns a table or may run DDL (the migrations run as the schema
 * owner). Role attributes such as BYPASSRLS are never inherited by a role's members, so a
 * service that must see every tenant's rows gets a row-level-security policy naming its
 * group role instead.
 */
export const APP_ROLE = 'soc_app';

export const SERVICE_ROLES = {
  /** Verifies API keys: the key lookup function, nothing else. */
  ingest: 'soc_ingest',
  /** Reads every tenant's asset inventory for scoring. */
  correlator: 'soc_correlator',
  /** Writes the read model, its checkpoints and its dead letters for every tenant. */
  projector: 'soc_projector',
  /** Tenant-scoped reads and analyst/admin writes (soc_app's grants), and the outbox relay. */
  query: 'soc_query',
  /** Its verdict cache, budgets, pending lookups and event sequences. */
  intel: 'soc_intel',
} as const;

export type ServiceName = keyof typeof SERVICE_ROLES;
export type ServiceRole = (typeof SERVICE_ROLES)[ServiceName];

const GROUP_ROLES: readonly string[] = [APP_ROLE, ...Object.values(SERVICE_ROLES)];

/**
 * Creates each group role once per cluster (roles are cluster-wide, several databases share
 * them); concurrent migrations of test databases may race on it, hence the exception handler.
 */
export const createGroupRolesDdl: readonly string[] = GROUP_ROLES.map(
  (role) => `
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN
    CREATE ROLE ${role} NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$`,
);

/**
 * Makes `member` a member of `group` once: memberships are cluster-wide, and concurrent
 * migrations of two databases may race on the same one.
 */
export function grantMembershipDdl(group: string, member: string): string {
  return `
DO $$
BEGIN
  IF NOT pg_has_role('${member}', '${group}', 'MEMBER') THEN
    GRANT ${group} TO ${member};
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$`;
}

/** A policy that lets `role` reach every tenant's rows of `table` (dropped first: idempotent). */
function allTenantsPolicyDdl(
  table: string,
  policy: string,
  role: string,
  command: 'ALL' | 'SELECT' | 'DELETE',
): string[] {
  const check = command === 'ALL' ? ' WITH CHECK (true)' : '';
  return [
    `DROP POLICY IF EXISTS ${policy} ON ${table}`,
    `CREATE POLICY ${policy} ON ${table} FOR ${command} TO ${role} USING (true)${check}`,
  ];
}

/** Read-model tables the projector only appends to: the first event to carry a row wins. */
const APPEND_ONLY_TABLES = new Set([
  'incident_alerts',
  'incident_timeline',
  'tenant_config_history',
]);

/**
 * The projector's access to one read-model table of `schema`: it writes every tenant's rows,
 * and may not change an append-only row. The query API reads through soc_app's grants, which
 * readModelDdl gives.
 */
export function readModelTableAccessDdl(schema: string, table: string): string[] {
  const spec = READ_MODEL_TABLES.find((candidate) => candidate.table === table);
  if (!spec) throw new Error(`not a read-model table: ${table}`);
  const name = `${schema}.${table}`;
  const privileges = APPEND_ONLY_TABLES.has(table)
    ? 'SELECT, INSERT'
    : 'SELECT, INSERT, UPDATE, DELETE';
  const tenantTable = spec.columns.some((column) => column.column === 'tenant_id');
  return [
    `GRANT ${privileges} ON ${name} TO ${SERVICE_ROLES.projector}`,
    ...(tenantTable
      ? allTenantsPolicyDdl(name, 'projector_all_tenants', SERVICE_ROLES.projector, 'ALL')
      : []),
  ];
}

/** The service roles' access to every table of the read model in `schema` (live or shadow). */
export function readModelAccessDdl(schema: string): string[] {
  return [
    `GRANT USAGE ON SCHEMA ${schema} TO ${SERVICE_ROLES.projector}`,
    ...READ_MODEL_TABLES.flatMap((spec) => readModelTableAccessDdl(schema, spec.table)),
  ];
}

/**
 * The service roles' access to the tables outside the read model, derived from the SQL each
 * app runs. Grants are per table and idempotent; a migration that adds a table grants on it.
 */
export function applicationAccessDdl(): string[] {
  const { ingest, correlator, projector, query, intel } = SERVICE_ROLES;
  const intelTables = [
    'intel_verdict_cache',
    'intel_budgets',
    'intel_pending_lookups',
    'intel_event_sequences',
  ];
  return [
    // PostgreSQL before 15 lets every role create tables in `public`.
    'REVOKE CREATE ON SCHEMA public FROM PUBLIC',
    `GRANT EXECUTE ON FUNCTION public.soc_api_key_lookup(text) TO ${ingest}`,
    `GRANT SELECT ON public.assets TO ${correlator}`,
    ...allTenantsPolicyDdl('public.assets', 'correlator_reads_all_tenants', correlator, 'SELECT'),
    `GRANT SELECT, INSERT ON public.projector_dead_letters TO ${projector}`,
    // Requests run as soc_app under row level security (withTenant); the outbox relay reads
    // and deletes every tenant's relayed events as soc_query itself.
    grantMembershipDdl(APP_ROLE, query),
    `GRANT SELECT, DELETE ON public.feedback_outbox TO ${query}`,
    ...allTenantsPolicyDdl('public.feedback_outbox', 'outbox_relay_reads', query, 'SELECT'),
    ...allTenantsPolicyDdl('public.feedback_outbox', 'outbox_relay_deletes', query, 'DELETE'),
    ...intelTables.map(
      (table) => `GRANT SELECT, INSERT, UPDATE, DELETE ON public.${table} TO ${intel}`,
    ),
  ];
}
