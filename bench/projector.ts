/**
 * The projector alone: N generated incident events on a fresh topic, the projector as a child
 * process over it with a fresh database, events a second into PostgreSQL until its checkpoint
 * reaches the end of the topic. Prints one JSON object.
 *
 *   npm run bench:projector -- [--events 200000] [--tenants 5] [--partitions 3] [--seed bench] [--smoke] [--no-build]
 *
 * The services run compiled (`npm run build` first, unless `--no-build`), as production starts them.
 */
import {
  benchEnv,
  buildUnlessSkipped,
  machine,
  numberFlag,
  readFlags,
  runId,
  runBench,
} from './support';
import { runProjectorBench } from './projector-run';

async function main(): Promise<void> {
  const flags = readFlags();
  buildUnlessSkipped(flags);
  const smoke = flags.has('smoke');
  const env = await benchEnv();
  try {
    const run = await runProjectorBench(env, {
      events: numberFlag(flags, 'events', smoke ? 500 : 200_000),
      tenants: numberFlag(flags, 'tenants', 5),
      partitions: numberFlag(flags, 'partitions', 3),
      seed: flags.get('seed') ?? 'bench',
      id: runId('projector'),
      nodeArgs: flags.has('cpu-prof')
        ? ['--cpu-prof', `--cpu-prof-dir=${flags.get('cpu-prof')}`]
        : [],
    });
    console.log(JSON.stringify({ bench: 'projector', smoke, ...run.figures, machine: machine() }));
  } finally {
    await env.release();
  }
}

runBench(main);
