import type { SeenItem, TimeCursor } from './time-cursor';

/** A stored cursor read back from the checkpoint topic; undefined when it is malformed. */
export function parseTimeCursor(value: unknown): TimeCursor | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { after, seen } = value as { after?: unknown; seen?: unknown };
  if (typeof after !== 'number' || !Number.isFinite(after) || !Array.isArray(seen))
    return undefined;
  const items: SeenItem[] = [];
  for (const item of seen) {
    const { id, at } = (item ?? {}) as { id?: unknown; at?: unknown };
    if (typeof id !== 'string' || typeof at !== 'number') return undefined;
    items.push({ id, at });
  }
  return { after, seen: items };
}
