import { API_KEY_ROLES } from '@soc/contracts';
import { openDataSource, ensureTenant, issueApiKey } from '@soc/persistence';
import { parseFlags, type CliVerb } from '../cli-io';

function databaseUrl(): string {
  const url = process.env['DATABASE_URL'];
  if (!url) throw new Error('DATABASE_URL is not set (see `npm run stack -- up`)');
  return url;
}

/** `soc db migrate`: brings the read-model and application schema up to date. */
export const databaseVerb: CliVerb = async (args, io) => {
  const [action] = args;
  if (action !== 'migrate') {
    io.err({ error: 'usage: db migrate' });
    return 2;
  }
  const dataSource = await openDataSource({ url: databaseUrl(), applicationName: 'soc-cli' });
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    io.out({ migrated: applied.map((m) => m.name) });
    return 0;
  } finally {
    await dataSource.destroy();
  }
};

/**
 * `soc tenant create --tenant ID [--name NAME]`: creates the tenant if it is new and issues
 * one API key per role, printed once as JSON (only salted hashes are stored).
 */
export const tenantVerb: CliVerb = async (args, io) => {
  const { flags, positional } = parseFlags(args);
  const tenantId = flags.get('tenant');
  if (positional[0] !== 'create' || !tenantId) {
    io.err({ error: 'usage: tenant create --tenant <id> [--name <display name>]' });
    return 2;
  }
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
