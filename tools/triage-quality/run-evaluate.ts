import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ScenarioReport } from '@soc/domain';

const run = promisify(execFile);
const repoRoot = join(__dirname, '..', '..');

/** Where the labeled data sets live: `SOC_DATASETS_DIR`, else `../shared/datasets` beside the repository. */
export const datasetsDir = (): string =>
  process.env['SOC_DATASETS_DIR'] ?? join(repoRoot, '..', 'shared', 'datasets');

export const AIT_ADS_SCENARIOS = ['wardbeck', 'santos', 'harrison', 'wheeler', 'wilson'] as const;

export const aitAdsFile = (scenario: string): string =>
  join(datasetsDir(), 'ait-ads', `${scenario}.labeled.jsonl.gz`);

/**
 * Runs `soc evaluate --input <file>` as its own process, with the default configuration, and
 * returns its report. The verb exits 1 when it had to leave lines out: that is an error here.
 */
export async function evaluateScenario(scenario: string): Promise<ScenarioReport> {
  const { stdout } = await run(
    process.execPath,
    [
      '-r',
      './tools/register.cjs',
      'apps/cli/src/main.ts',
      'evaluate',
      '--input',
      aitAdsFile(scenario),
    ],
    { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 },
  );
  return { scenario, report: JSON.parse(stdout) as ScenarioReport['report'] };
}
