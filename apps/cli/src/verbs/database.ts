import { API_KEY_ROLES } from '@soc/contracts';
import {
  SERVICE_ROLES,
  createServiceLogin,
  ensureTenant,
  issueApiKey,
  migrateDatabase,
  openDataSource,
  serviceLoginProblem,
  type ServiceName,
} from '@soc/persistence';
import type { CliIo, CliVerb } from '../cli-io';
import { parseFlags, usageError, type FlagSpec } from '../flags';

function databaseUrl(): string {
  const url = process.env['DATABASE_URL'];
  if (!url) throw new Error('DATABASE_URL is not set (see `npm run stack -- up`)');
  return url;
}

const DB_USAGE =
  'usage: db migrate | db create-login --role <soc_ingest|soc_correlator|soc_projector|soc_query|soc_intel> --user NAME (password: SOC_DB_LOGIN_PASSWORD or the first line of stdin)';
const DB_FLAGS = { role: 'value', user: 'value' } as const satisfies FlagSpec;

/**
 * `soc db migrate`: brings the read-model and application schema up to date.
 * `soc db create-login --role R --user NAME`: a login for a service, in its group role. The
 * password comes from SOC_DB_LOGIN_PASSWORD or stdin, never a flag (flags end up in shell
 * history and process lists). Both run as the schema owner (DATABASE_URL).
 */
export const databaseVerb: CliVerb = async (args, io) => {
  const parsed = parseFlags(args, DB_FLAGS);
  if (!parsed.ok) return usageError(io, parsed.error, DB_USAGE);
  const [action, ...extra] = parsed.positional;
  if (extra.length > 0 || (action !== 'migrate' && action !== 'create-login'))
    return usageError(io, 'db takes one action: migrate or create-login', DB_USAGE);
  if (action === 'migrate') {
    io.out({ migrated: await migrateDatabase(databaseUrl(), 'soc-cli') });
    return 0;
  }
  const role = parsed.flags.get('role') ?? '';
  const service = (Object.keys(SERVICE_ROLES) as ServiceName[]).find(
    (name) => SERVICE_ROLES[name] === role,
  );
  if (!service)
    return usageError(
      io,
      `--role: expected one of ${Object.values(SERVICE_ROLES).join(', ')}`,
      DB_USAGE,
    );
  const request = {
    service,
    user: parsed.flags.get('user') ?? '',
    password: process.env['SOC_DB_LOGIN_PASSWORD'] ?? (await firstLine(io)),
  };
  const problem = serviceLoginProblem(request);
  if (problem) return usageError(io, problem, DB_USAGE);
  const dataSource = await openDataSource({ url: databaseUrl(), applicationName: 'soc-cli' });
  try {
    io.out(await createServiceLogin(dataSource, request));
    return 0;
  } finally {
    await dataSource.destroy();
  }
};

async function firstLine(io: CliIo): Promise<string> {
  for await (const line of io.lines()) return line.trim();
  return '';
}

const TENANT_USAGE = 'usage: tenant create --tenant <id> [--name <display name>]';
const TENANT_FLAGS = { tenant: 'value', name: 'value' } as const satisfies FlagSpec;

/**
 * `soc tenant create --tenant ID [--name NAME]`: creates the tenant if it is new and issues
 * one API key per role, printed once as JSON (only salted hashes are stored).
 */
export const tenantVerb: CliVerb = async (args, io) => {
  const parsed = parseFlags(args, TENANT_FLAGS);
  if (!parsed.ok) return usageError(io, parsed.error, TENANT_USAGE);
  const { flags, positional } = parsed;
  const tenantId = flags.get('tenant');
  if (positional.length !== 1 || positional[0] !== 'create' || !tenantId)
    return usageError(io, 'tenant takes one action, create, and --tenant', TENANT_USAGE);
  const dataSource = await openDataSource(
    { url: databaseUrl(), applicationName: 'soc-cli' },
    { migrate: true },
  );
  try {
    const created = await ensureTenant(dataSource, tenantId, flags.get('name') ?? tenantId);
    const keys: Record<string, string> = {};
    for (const role of API_KEY_ROLES) {
      keys[role] = (
        await issueApiKey(dataSource, { tenantId, role, name: `${role} key (soc tenant create)` })
      ).apiKey;
    }
    io.out({ tenantId, created, keys });
    return 0;
  } finally {
    await dataSource.destroy();
  }
};
