import type { CanonicalAlert, IncidentEventType } from '@soc/contracts';
import {
  createCorrelator,
  defaultCorrelationConfig,
  deterministicIds,
  generateTraffic,
} from '@soc/domain';
import { numberFlag, readFlags } from './support';

/**
 * How many incident events of each type the pure correlator writes for generated traffic folded
 * as the correlator service folds it: micro-batches of `--batch` alerts, each ending with a
 * flush tick (`correlateBatch`). No I/O, no timing. Prints one JSON object.
 *
 *   npm run bench:events -- [--count 40000] [--rate 2000] [--batch 1000] [--tenants 5] [--seed bench]
 */
const flags = readFlags();
const count = numberFlag(flags, 'count', 40_000);
const ratePerSecond = numberFlag(flags, 'rate', 2_000);
const batchSize = numberFlag(flags, 'batch', 1_000);
const tenants = numberFlag(flags, 'tenants', 5);
const seed = flags.get('seed') ?? 'bench';

const correlator = createCorrelator(defaultCorrelationConfig(), deterministicIds());
const byType = new Map<IncidentEventType, number>();
let alerts = 0;
let events = 0;
const correlate = (batch: readonly CanonicalAlert[]): void => {
  for (const event of correlator.correlateBatch(batch)) {
    byType.set(event.type, (byType.get(event.type) ?? 0) + 1);
    events += 1;
  }
  alerts += batch.length;
};

let batch: CanonicalAlert[] = [];
for (const { alert } of generateTraffic({ seed, tenants, alertCount: count, ratePerSecond })) {
  batch.push(alert);
  if (batch.length === batchSize) {
    correlate(batch);
    batch = [];
  }
}
if (batch.length > 0) correlate(batch);

console.log(
  JSON.stringify({
    alerts,
    tenants,
    eventTimeRatePerSecond: ratePerSecond,
    batch: batchSize,
    events,
    eventsPerAlert: Math.round((events / Math.max(1, alerts)) * 1000) / 1000,
    byType: Object.fromEntries([...byType].sort(([, a], [, b]) => b - a)),
  }),
);
