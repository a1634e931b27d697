import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { CanonicalAlert } from '@soc/contracts';
import {
  type CorrelationState,
  type TenantState,
  defaultCorrelationConfig,
  deterministicIds,
  generateTraffic,
  offlineCorrelation,
  stateSize,
} from '@soc/domain';
import { allocationSampler } from './allocation-sampler';

/**
 * The pure correlator and scorer in process, no I/O: how many alerts a second one core
 * decides, and how much memory the state holds. Alerts are generated ahead of each timed
 * chunk, so generation is not counted. The state's memory is measured at the end by
 * releasing its parts one after another (the generator's queue is gone by then, so a heap
 * delta from before the run would miss what the queue held at the start). Prints one JSON
 * object. `--allocations` adds the bytes the correlator allocates per alert (objects collected
 * since included) and where, from V8's sampling heap profiler, which slows the run: its rates
 * are not the bench's then.
 *
 *   node -r ./tools/register.cjs bench/core.ts [--count 1000000] [--rate 100] [--tenants 5] [--seed bench] [--tick-ms 1000] [--allocations]
 */
/** `--name value` pairs, and switches. */
const flags = new Map<string, string>();
const SWITCHES = new Set(['allocations']);
for (let i = 2; i < process.argv.length; i += 1) {
  const arg = process.argv[i] as string;
  if (!arg.startsWith('--')) continue;
  const name = arg.slice(2);
  flags.set(name, SWITCHES.has(name) ? 'true' : (process.argv[i + 1] ?? ''));
}
const count = Number(flags.get('count') ?? 1_000_000);
const ratePerSecond = Number(flags.get('rate') ?? 100);
const tenants = Number(flags.get('tenants') ?? 5);
const seed = flags.get('seed') ?? 'bench';
const tickEveryMs = Number(flags.get('tick-ms') ?? 1_000);
const CHUNK = 2_000;

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;
const heapUsed = (): number => process.memoryUsage().heapUsed;

/**
 * The parts of the state, in the order they are released: each one's figure is what the heap
 * loses when it goes, so what parts share (an entity two of them name) counts in the last
 * part that holds it. An open incident is held by its map, the link index and the deadline
 * buckets, so the three go together; last, the tenants themselves with their baselines and
 * feedback models.
 */
const STATE_PARTS: readonly (readonly [string, (state: CorrelationState) => void])[] = [
  ['alertIndex', eachTenant((tenant) => tenant.alertIncidents.clear())],
  [
    'closedIncidents',
    eachTenant((tenant) => {
      tenant.closed.clear();
      tenant.closedIndex.clear();
    }),
  ],
  ['campaignMemory', eachTenant((tenant) => tenant.entities.clear())],
  [
    'openIncidents',
    eachTenant((tenant) => {
      tenant.open.clear();
      tenant.index.clear();
      tenant.windowDeadlines.clear();
      tenant.spanStarts.clear();
    }),
  ],
  ['baselinesAndModels', (state) => state.tenants.clear()],
];

function eachTenant(release: (tenant: TenantState) => void): (state: CorrelationState) => void {
  return (state) => {
    for (const tenant of state.tenants.values()) release(tenant);
  };
}

/** Bytes each part of the state holds (see STATE_PARTS), releasing the whole state. */
function stateBreakdown(state: CorrelationState): Record<string, number> {
  const bytes: Record<string, number> = {};
  let before = heapUsed();
  for (const [name, release] of STATE_PARTS) {
    release(state);
    gc();
    const after = heapUsed();
    bytes[name] = Math.max(0, before - after);
    before = after;
  }
  return bytes;
}

const traffic = generateTraffic({ seed, tenants, alertCount: count, ratePerSecond });
const firstAlert = traffic.next();
let run: ReturnType<typeof offlineCorrelation> | undefined = offlineCorrelation(
  defaultCorrelationConfig(),
  deterministicIds(),
  {
    tickEveryMs,
  },
);

let decided = 0;
let events = 0;
let busyNs = 0n;
let busyCpuUs = 0;
let peakHeap = 0;
const chunk: CanonicalAlert[] = [];
// Sampled over the timed steps only: the generator's allocations are not the correlator's.
const sampler = flags.get('allocations') === 'true' ? allocationSampler() : null;
if (!firstAlert.done) chunk.push(firstAlert.value.alert);
for (;;) {
  for (let next = traffic.next(); !next.done; next = traffic.next()) {
    chunk.push(next.value.alert);
    if (chunk.length === CHUNK) break;
  }
  if (chunk.length === 0) break;
  sampler?.start();
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (const alert of chunk) events += run.push(alert).length;
  busyNs += process.hrtime.bigint() - started;
  sampler?.stop();
  const used = process.cpuUsage(cpu);
  busyCpuUs += used.user + used.system;
  decided += chunk.length;
  peakHeap = Math.max(peakHeap, heapUsed());
  chunk.length = 0;
}
sampler?.start();
const started = process.hrtime.bigint();
events += run.finish().length;
busyNs += process.hrtime.bigint() - started;
sampler?.stop();
const allocations = sampler?.result();

const state = run.state;
run = undefined;
gc();
const size = stateSize(state);
const parts = stateBreakdown(state);
const stateBytes = Object.values(parts).reduce((sum, bytes) => sum + bytes, 0);
const seconds = Number(busyNs) / 1e9;
const cpuSeconds = busyCpuUs / 1e6;
const mb = (bytes: number): number => Math.round((bytes / 1_048_576) * 10) / 10;
const perOpenIncident = (bytes: number): number | null =>
  size.openIncidents === 0 ? null : Math.round(bytes / size.openIncidents);
const breakdown = Object.fromEntries(
  Object.entries(parts).map(([part, bytes]) => [
    part,
    { mb: mb(bytes), bytesPerOpenIncident: perOpenIncident(bytes) },
  ]),
);

console.log(
  JSON.stringify({
    alerts: decided,
    tenants,
    eventTimeRatePerSecond: ratePerSecond,
    seconds: Math.round(seconds * 1000) / 1000,
    cpuSeconds: Math.round(cpuSeconds * 1000) / 1000,
    alertsPerSecond: Math.round(decided / seconds),
    alertsPerCpuSecond: Math.round(decided / cpuSeconds),
    eventsPublished: events,
    peakHeapMB: mb(peakHeap),
    stateMB: mb(stateBytes),
    // The state also holds the campaign memory (closed incidents and entities over the
    // horizon), so per open incident overstates what one open incident costs.
    bytesPerOpenIncident: perOpenIncident(stateBytes),
    bytesPerTrackedItem: Math.round(
      stateBytes /
        Math.max(1, size.openIncidents + size.rememberedIncidents + size.trackedEntities),
    ),
    finalState: size,
    breakdown,
    ...(allocations === undefined
      ? {}
      : {
          allocatedBytesPerAlert: Math.round(allocations.bytes / decided),
          allocationSites: allocations.top.map(({ frame, bytes }) => ({
            frame,
            bytesPerAlert: Math.round(bytes / decided),
          })),
        }),
    node: process.version,
  }),
);
