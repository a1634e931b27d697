import type { EpochMs } from '@soc/contracts';
import type { EntityLink, LinkIndex, OpenIncident, TenantState } from './state';

export function indexAdd(index: LinkIndex, link: EntityLink): void {
  const current = index.get(link.key);
  if (current === undefined) index.set(link.key, link);
  else if (current instanceof Set) current.add(link);
  else index.set(link.key, new Set([current, link]));
}

export function indexRemove(index: LinkIndex, link: EntityLink): void {
  const current = index.get(link.key);
  if (current === link) index.delete(link.key);
  else if (current instanceof Set) {
    current.delete(link);
    if (current.size === 1) index.set(link.key, current.values().next().value as EntityLink);
  }
}

/** Each link of the indexed entry, whether one link or a set. */
export function* linksIn(indexed: EntityLink | Set<EntityLink> | undefined): Generator<EntityLink> {
  if (indexed === undefined) return;
  if (indexed instanceof Set) yield* indexed;
  else yield indexed;
}

/**
 * Adds `time` to the link's ranges, merging every range it brings within a window of another.
 * The common case (the time falls in the one range) changes two numbers.
 */
export function extendLink(link: EntityLink, time: EpochMs, windowMs: number): void {
  if (link.more === null && time > link.min - windowMs && time < link.max + windowMs) {
    if (time < link.min) link.min = time;
    if (time > link.max) link.max = time;
    return;
  }
  const ranges = [link.min, link.max, ...(link.more ?? []), time, time];
  setRanges(link, coalesce(ranges, windowMs));
}

/** Sorts flat `[min, max, ...]` ranges and merges those less than a window apart. */
function coalesce(ranges: readonly number[], windowMs: number): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < ranges.length; i += 2)
    pairs.push([ranges[i] as number, ranges[i + 1] as number]);
  pairs.sort((a, b) => a[0] - b[0]);
  const merged: number[] = [];
  for (const [min, max] of pairs) {
    const last = merged.length - 1;
    if (last > 0 && min - (merged[last] as number) < windowMs)
      merged[last] = Math.max(merged[last] as number, max);
    else merged.push(min, max);
  }
  return merged;
}

/** Unites another link's ranges into `own`'s. */
export function mergeRanges(own: EntityLink, other: EntityLink, windowMs: number): void {
  setRanges(
    own,
    coalesce(
      [own.min, own.max, ...(own.more ?? []), other.min, other.max, ...(other.more ?? [])],
      windowMs,
    ),
  );
}

function setRanges(link: EntityLink, ranges: readonly number[]): void {
  link.min = ranges[0] as number;
  link.max = ranges[1] as number;
  link.more = ranges.length > 2 ? ranges.slice(2) : null;
}

/** Adds the key to the incident at `time`: a new link (indexed), or a wider range. */
export function linkKey(
  tenant: TenantState,
  incident: OpenIncident,
  { key, entity, time }: Pick<EntityLink, 'key' | 'entity'> & { readonly time: EpochMs },
): void {
  const link = incident.links.get(key);
  if (link === undefined) {
    // Past the linked-keys budget a new key is not linked (see budgets.ts).
    if (tenant.index.size >= tenant.budgets.linkedKeys && !tenant.index.has(key)) return;
    const created: EntityLink = { incident, key, entity, min: time, max: time, more: null };
    incident.links.set(key, created);
    indexAdd(tenant.index, created);
    if (entity !== null) incident.entities.push(entity);
  } else extendLink(link, time, incident.windowMs);
}
