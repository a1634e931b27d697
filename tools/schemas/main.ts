// `npm run schemas:check`: every schema in schemas/ must stay BACKWARD_TRANSITIVE compatible.
// With SCHEMA_REGISTRY_URL set, the registry judges it against the registered versions;
// otherwise it is checked locally against every version committed to git. Exit 1 on a break.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Schema } from 'avsc';
import { backwardTransitiveProblems } from './compatibility';

const ROOT = join(__dirname, '..', '..');
const SCHEMAS: Record<string, string> = {
  'soc.alerts.v1-value': 'schemas/alerts/soc.alerts.v1-value.avsc',
  'soc.incidents.v1-value': 'schemas/incidents/soc.incidents.v1-value.avsc',
  'soc.feedback.v1-value': 'schemas/feedback/soc.feedback.v1-value.avsc',
  'soc.intel.v1-value': 'schemas/intel/soc.intel.v1-value.avsc',
  'soc.tenant-config.v1-value': 'schemas/tenant-config/soc.tenant-config.v1-value.avsc',
};

function committedVersions(file: string): { label: string; schema: Schema }[] {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  let commits: string[];
  try {
    commits = git('log', '--format=%h', '--', file).split('\n').filter(Boolean);
  } catch {
    return [];
  }
  return commits.map((commit) => ({
    label: `${file}@${commit}`,
    schema: JSON.parse(git('show', `${commit}:${file}`)) as Schema,
  }));
}

async function registryVerdict(
  url: string,
  subject: string,
  schema: Schema,
): Promise<string | undefined> {
  const response = await fetch(
    `${url}/compatibility/subjects/${subject}/versions/latest?verbose=true`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schema: JSON.stringify(schema) }),
    },
  );
  if (response.status === 404) return undefined;
  const body = (await response.json()) as { is_compatible?: boolean; messages?: string[] };
  if (!response.ok)
    throw new Error(`registry answered ${response.status}: ${JSON.stringify(body)}`);
  return body.is_compatible ? undefined : (body.messages ?? ['incompatible']).join('; ');
}

async function main(): Promise<number> {
  const registry = process.env['SCHEMA_REGISTRY_URL'];
  let failures = 0;
  for (const [subject, file] of Object.entries(SCHEMAS)) {
    const schema = JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as Schema;
    const problems = registry
      ? [await registryVerdict(registry, subject, schema)]
          .filter((p): p is string => p !== undefined)
          .map((reason) => ({ against: 'registry', reason }))
      : backwardTransitiveProblems(schema, committedVersions(file));
    failures += problems.length;
    console.log(
      JSON.stringify({
        subject,
        file,
        checkedAgainst: registry ? 'registry' : 'git history',
        compatible: problems.length === 0,
        problems,
      }),
    );
  }
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(JSON.stringify({ error: String(error) }));
    process.exitCode = 1;
  },
);
