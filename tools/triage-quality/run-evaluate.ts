import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FeedbackScenarioReport, ScenarioReport } from '@soc/domain';

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
  return { scenario, report: (await evaluate(scenario, [])) as ScenarioReport['report'] };
}

/** `soc evaluate --feedback-from-labels FRACTION` on a scenario (see feedbackReplay). */
export async function evaluateScenarioWithFeedback(
  scenario: string,
  fraction: string,
): Promise<FeedbackScenarioReport> {
  const report = await evaluate(scenario, ['--feedback-from-labels', fraction]);
  return { scenario, report: report as FeedbackScenarioReport['report'] };
}

async function evaluate(scenario: string, flags: readonly string[]): Promise<unknown> {
  const { stdout } = await run(
    process.execPath,
    [
      '-r',
      './tools/register.cjs',
      'apps/cli/src/main.ts',
      'evaluate',
      '--input',
      aitAdsFile(scenario),
      ...flags,
    ],
    { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 },
  );
  return JSON.parse(stdout) as unknown;
}
