import type { EpochMs } from '@soc/contracts';
import { ENTITY_NOTABLE_INCIDENTS, type EntityMemory, type NotableSighting } from './state';

/**
 * Width of the buckets an entity's risk history keeps. A late row reads the risk of its own
 * bucket in full: what arrived in the same quarter hour after it counts as if before it.
 */
export const RISK_BUCKET_MS = 15 * 60_000;

/** Notable sightings an entity keeps, so that a late row still finds the ones before its time. */
const NOTABLE_SIGHTINGS = 2 * ENTITY_NOTABLE_INCIDENTS;

// Not scoring's decayedAt: a late row grows the sum back to an earlier time (negative ages).
const decay = (ageMs: number, halfLifeMs: number): number => Math.pow(0.5, ageMs / halfLifeMs);

const bucketStartOf = (time: EpochMs): EpochMs => time - (time % RISK_BUCKET_MS);

/**
 * The entity's accumulated risk as of `time`, `contribution` (the row being decided) included.
 * A row at or after the entity's newest time reads the decayed sum. A late row reads what
 * time order would have shown it: the sum grown back to its time, less what arrived in the
 * buckets after its own (the history); older than the history (the campaign horizon before
 * the newest time), it reads the sum as of the newest time, as if it had arrived then.
 */
export function riskAsOf(
  memory: EntityMemory | undefined,
  { time, contribution }: { readonly time: EpochMs; readonly contribution: number },
): number {
  if (memory === undefined) return contribution;
  const { risk, at, halfLifeMs, riskBuckets } = memory;
  const ownBucket = bucketStartOf(time);
  if (time >= at || ownBucket < memory.riskHistoryFrom)
    return newestRisk(memory, { time, contribution });
  let later = 0;
  for (let i = riskBuckets.length - 2; i >= 0; i -= 2) {
    const start = riskBuckets[i] as number;
    if (start <= ownBucket) break;
    later += (riskBuckets[i + 1] as number) * decay(time - start, halfLifeMs);
  }
  return Math.max(0, risk * decay(time - at, halfLifeMs) - later) + contribution;
}

/** The decayed sum as of the entity's newest time (or `time`, when later), `contribution` at `time` included. */
function newestRisk(
  { risk, at, halfLifeMs }: EntityMemory,
  { time, contribution }: { readonly time: EpochMs; readonly contribution: number },
): number {
  const newest = Math.max(time, at);
  return risk * decay(newest - at, halfLifeMs) + contribution * decay(newest - time, halfLifeMs);
}

/**
 * Adds a row's risk to the entity: to the decayed sum, and to its bucket of the history, which
 * keeps `keepMs` of event time before the newest.
 */
export function addRisk(
  memory: EntityMemory,
  {
    time,
    risk,
    keepMs,
  }: { readonly time: EpochMs; readonly risk: number; readonly keepMs: number },
): void {
  memory.risk = newestRisk(memory, { time, contribution: risk });
  if (time > memory.at) memory.at = time;
  if (risk > 0) addToBucket(memory, { time, risk });
  const buckets = memory.riskBuckets;
  const oldest = bucketStartOf(memory.at - keepMs);
  let drop = 0;
  while (drop < buckets.length && (buckets[drop] as number) < oldest) drop += 2;
  if (drop === 0) return;
  buckets.splice(0, drop);
  memory.riskHistoryFrom = oldest;
}

function addToBucket(
  memory: EntityMemory,
  { time, risk }: { readonly time: EpochMs; readonly risk: number },
): void {
  const buckets = memory.riskBuckets;
  const start = bucketStartOf(time);
  const share = risk * decay(start - time, memory.halfLifeMs);
  // Most entities hold one bucket (or sighting, below): an exact-size literal, not the slack
  // a growing array keeps.
  if (buckets.length === 0) {
    memory.riskBuckets = [start, share];
    return;
  }
  let i = buckets.length - 2;
  while (i >= 0 && (buckets[i] as number) > start) i -= 2;
  if (i >= 0 && buckets[i] === start) buckets[i + 1] = (buckets[i + 1] as number) + share;
  else buckets.splice(i + 2, 0, start, share);
}

/** The incidents the entity's risk links from `time`: its latest notable ones up to then. */
export function notableAsOf(memory: EntityMemory, time: EpochMs): string[] {
  const ids: string[] = [];
  const sightings = memory.notable;
  for (let i = sightings.length - 1; i >= 0 && ids.length < ENTITY_NOTABLE_INCIDENTS; i -= 1) {
    const sighting = sightings[i] as NotableSighting;
    if (sighting.at <= time) ids.push(sighting.incidentId);
  }
  return ids.reverse();
}

/** Records that `incidentId` brought unusual activity to the entity at `time`, in time order. */
export function rememberNotable(memory: EntityMemory, incidentId: string, time: EpochMs): void {
  const sightings = memory.notable;
  if (sightings.length === 0) {
    memory.notable = [{ incidentId, at: time }];
    return;
  }
  const known = sightings.findIndex((sighting) => sighting.incidentId === incidentId);
  let at = time;
  if (known >= 0) {
    at = Math.max(at, (sightings[known] as NotableSighting).at);
    sightings.splice(known, 1);
  }
  let i = sightings.length;
  while (i > 0 && (sightings[i - 1] as NotableSighting).at > at) i -= 1;
  sightings.splice(i, 0, { incidentId, at });
  if (sightings.length > NOTABLE_SIGHTINGS) sightings.shift();
}

/** The absorbed incident's sighting names its survivor; one sighting when both had one. */
export function renameNotable(memory: EntityMemory, absorbedId: string, survivorId: string): void {
  const sightings = memory.notable;
  const at = sightings.findIndex((sighting) => sighting.incidentId === absorbedId);
  if (at < 0) return;
  if (sightings.some((sighting) => sighting.incidentId === survivorId)) sightings.splice(at, 1);
  else (sightings[at] as NotableSighting).incidentId = survivorId;
}
