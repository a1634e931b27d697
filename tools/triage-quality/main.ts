import { feedbackTable, triageTable } from '@soc/domain';
import { AIT_ADS_SCENARIOS, evaluateScenario, evaluateScenarioWithFeedback } from './run-evaluate';

/**
 * `npm run eval:table -- [--feedback-from-labels FRACTION] [scenario ...]`: runs `soc
 * evaluate` over the AIT-ADS scenarios (all five by default, one after the other) and prints
 * docs/triage-quality.md's table, or with the flag its table of learning from feedback.
 */
async function main(args: readonly string[]): Promise<void> {
  const flag = args.indexOf('--feedback-from-labels');
  const fraction = flag >= 0 ? args[flag + 1] : undefined;
  if (flag >= 0 && fraction === undefined) throw new Error('--feedback-from-labels needs a value');
  const named = args.filter((_, i) => flag < 0 || (i !== flag && i !== flag + 1));
  const scenarios = named.length > 0 ? named : AIT_ADS_SCENARIOS;
  if (fraction !== undefined) {
    const rows = [];
    for (const scenario of scenarios)
      rows.push(await evaluateScenarioWithFeedback(scenario, fraction));
    process.stdout.write(feedbackTable(rows));
    return;
  }
  const rows = [];
  for (const scenario of scenarios) rows.push(await evaluateScenario(scenario));
  process.stdout.write(triageTable(rows));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
