import { triageTable } from '@soc/domain';
import { AIT_ADS_SCENARIOS, evaluateScenario } from './run-evaluate';

/**
 * `npm run eval:table -- [scenario ...]`: runs `soc evaluate` over the AIT-ADS scenarios (all
 * five by default, one after the other) and prints docs/triage-quality.md's table.
 */
async function main(scenarios: readonly string[]): Promise<void> {
  const rows = [];
  for (const scenario of scenarios) rows.push(await evaluateScenario(scenario));
  process.stdout.write(triageTable(rows));
}

const given = process.argv.slice(2);
main(given.length > 0 ? given : AIT_ADS_SCENARIOS).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
