import { openDataSource, ensureTenant, issueApiKey, API_KEY_ROLES } from '@soc/persistence';
import type { CliVerb } from '../cli-io';
import { parseFlags, usageError, type FlagSpec } from '../flags';

function databaseUrl(): string {
  const url = process.env['DATABASE_URL'];
  if (!url) throw new Error('DATABASE_URL is not set (see `npm run stack -- up`)');
  return url;
}

/** `soc db migrate`: brings the read-model and application schema up to date. */
export const databaseVerb: CliVerb = async (args, io) => {
  const parsed = parseFlags(args, {});
  if (!parsed.ok) return usageError(io, parsed.error, 'usage: db migrate');
  if (parsed.positional.length !== 1 || parsed.positional[0] !== 'migrate')
    return usageError(io, 'db takes one action: migrate', 'usage: db migrate');
  const dataSource = await openDataSource({ url: databaseUrl(), applicationName: 'soc-cli' });
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    io.out({ migrated: applied.map((m) => m.name) });
    return 0;
  } finally {
    await dataSource.destroy();
  }
};

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
