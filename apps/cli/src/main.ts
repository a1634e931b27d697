import { processIo, type CliVerb } from './cli-io';

/**
 * `npm run soc -- <verb>`: the services' pure core, offline, for people and scripts.
 * Every verb writes JSON lines to stdout and JSON-line diagnostics to stderr.
 */
const verbs: Record<string, { readonly summary: string; readonly load: () => Promise<CliVerb> }> = {
  normalize: {
    summary:
      'normalize [--format F] [--tenant T] < records: canonical alerts out, rejections on stderr',
    load: async () => (await import('./verbs/normalize')).normalizeVerb,
  },
  correlate: {
    summary:
      'correlate [--config file] [--intel-feed FILE]... < alerts.jsonl: incident events out, deterministically',
    load: async () => (await import('./verbs/correlate')).correlateVerb,
  },
  db: {
    summary:
      'db migrate | db create-login --role R --user NAME: apply the migrations; a login for a service role (DATABASE_URL, the owner)',
    load: async () => (await import('./verbs/database')).databaseVerb,
  },
  tenant: {
    summary: 'tenant create --tenant ID [--name N]: create a tenant and print one API key per role',
    load: async () => (await import('./verbs/database')).tenantVerb,
  },
  simulate: {
    summary:
      'simulate [--seed S] [--tenant a,b] [--rate R] [--count N] [--realtime] [--labels]: generated alerts',
    load: async () => (await import('./verbs/simulate')).simulateVerb,
  },
  send: {
    summary: 'send --url URL --key KEY < records: post lines to the ingest API in NDJSON batches',
    load: async () => (await import('./verbs/send')).sendVerb,
  },
  projector: {
    summary:
      'projector rebuild [--no-swap] [--compare] [--timeout 10m]: replay both topics into a shadow schema and swap it in',
    load: async () => (await import('./verbs/projector')).projectorVerb,
  },
  evaluate: {
    summary: 'evaluate --input labeled.jsonl: grouping and ranking quality as one JSON object',
    load: async () => (await import('./verbs/evaluate')).evaluateVerb,
  },
};

async function main(argv: readonly string[]): Promise<number> {
  const [verbName, ...args] = argv;
  const io = processIo();
  const verb = verbName === undefined ? undefined : verbs[verbName];
  if (!verb) {
    io.err({
      error: verbName === undefined ? 'no verb given' : `unknown verb '${verbName}'`,
      verbs: Object.fromEntries(Object.entries(verbs).map(([name, v]) => [name, v.summary])),
    });
    return 2;
  }
  return (await verb.load())(args, io);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${JSON.stringify({ error: String(error) })}\n`);
    process.exitCode = 1;
  },
);
