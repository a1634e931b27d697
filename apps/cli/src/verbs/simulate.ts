import { generateTraffic, labeledAlertRecord } from '@soc/domain';
import type { CliVerb } from '../cli-io';
import { parseFlags, usageError, type FlagSpec } from '../flags';

/**
 * Traffic is generated in runs of at least this many alerts, and at least an hour of traffic at
 * the given rate: each run has a world of its own (hosts, users, jobs, campaigns), so a run
 * shorter than the activities in it would cut every burst, job and campaign off at its end.
 */
const MIN_RUN_ALERTS = 10_000;
const RUN_SECONDS = 3_600;
const USAGE =
  'usage: simulate [--seed S] [--tenant a,b | --tenants N] [--rate R] [--count N] [--realtime] [--labels]';
const FLAGS = {
  seed: 'value',
  tenant: 'value',
  tenants: 'value',
  rate: 'value',
  count: 'value',
  realtime: 'switch',
  labels: 'switch',
} as const satisfies FlagSpec;

/**
 * `soc simulate [--seed S] [--tenant a,b | --tenants N] [--rate R] [--count N] [--realtime] [--labels]`:
 * seeded, reproducible traffic (attack campaigns across hosts and users, noise, routine
 * repeats) as canonical alerts in JSON lines. `--realtime` starts event time now and paces
 * the output to the wall clock, endlessly unless `--count` is given; otherwise the traffic is
 * generated as fast as possible from a fixed start time.
 */
export const simulateVerb: CliVerb = async (args, io) => {
  const parsed = parseFlags(args, FLAGS);
  if (!parsed.ok) return usageError(io, parsed.error, USAGE);
  if (parsed.positional.length > 0)
    return usageError(io, `unexpected argument '${parsed.positional[0]}'`, USAGE);
  const { flags } = parsed;
  const seed = flags.get('seed') ?? 'soc-demo';
  const tenantList = flags.get('tenant')?.split(',').filter(Boolean);
  const tenants = tenantList ?? Number(flags.get('tenants') ?? 3);
  const ratePerSecond = Number(flags.get('rate') ?? 50);
  const realtime = flags.has('realtime');
  const count = flags.has('count') ? Number(flags.get('count')) : realtime ? Infinity : 10_000;
  const withLabels = flags.has('labels');
  if (!(ratePerSecond > 0) || !(count > 0)) {
    io.err({ error: '--rate and --count must be positive numbers' });
    return 2;
  }
  const startedAt = Date.now();
  let startTime = realtime ? startedAt : undefined;
  let emitted = 0;
  const runAlerts = Math.max(MIN_RUN_ALERTS, Math.ceil(ratePerSecond * RUN_SECONDS));
  for (let chunk = 0; emitted < count; chunk += 1) {
    const alertCount = Math.min(runAlerts, count - emitted);
    let lastObserved = startTime ?? 0;
    for (const labeled of generateTraffic({
      seed: `${seed}/${chunk}`,
      tenants,
      alertCount,
      ratePerSecond,
      ...(startTime !== undefined ? { startTime } : {}),
    })) {
      if (realtime) {
        const wait = labeled.alert.observedAt - Date.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      }
      io.out(withLabels ? labeledAlertRecord(labeled) : labeled.alert);
      lastObserved = Math.max(lastObserved, labeled.alert.observedAt);
      emitted += 1;
    }
    startTime = lastObserved + 1;
  }
  return 0;
};
