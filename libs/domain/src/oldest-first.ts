/** Where eviction from an insertion-ordered Map resumes (see deleteOldest). */
export interface EvictionCursor<K> {
  keys: Iterator<K> | null;
  /** The first entry as oldestEntry read it from `keys`, kept because it was not deleted. */
  head?: { readonly key: K; readonly value: unknown } | undefined;
}

export const evictionCursor = <K>(): EvictionCursor<K> => ({ keys: null });

/**
 * The first entry of an insertion-ordered Map (the oldest, or the least recently re-inserted),
 * without deleting it. A Map iterator lives across changes: it visits entries added after it
 * was made and skips deleted ones. So one kept cursor finds the first entry without walking
 * the holes that earlier deletions at the front leave in V8's table, which a fresh
 * `keys().next()` walks every time: 400,000 evictions from a 100,000-entry Map took 65 s that
 * way and 1.5 s with a kept cursor (Node 20, this machine). The entry read but kept is held on
 * the cursor; it stands while the Map still maps its key to the same value (a key deleted and
 * set again to the very same value is taken as still the oldest).
 */
export function oldestEntry<K, V>(map: Map<K, V>, cursor: EvictionCursor<K>): [K, V] | undefined {
  const head = cursor.head;
  if (head !== undefined && map.has(head.key) && map.get(head.key) === head.value)
    return [head.key, head.value as V];
  // A head deleted since is gone; one set again since is now last, where the kept iterator,
  // already past its old place, will come to it again.
  cursor.head = undefined;
  let oldest = cursor.keys?.next();
  if (oldest === undefined || oldest.done === true) {
    cursor.keys = map.keys();
    oldest = cursor.keys.next();
  }
  if (oldest.done === true) return undefined;
  const value = map.get(oldest.value) as V;
  cursor.head = { key: oldest.value, value };
  return [oldest.value, value];
}

/** Deletes the first entry of an insertion-ordered Map and returns it (see oldestEntry). */
export function deleteOldest<K, V>(map: Map<K, V>, cursor: EvictionCursor<K>): [K, V] | undefined {
  const oldest = oldestEntry(map, cursor);
  if (oldest === undefined) return undefined;
  map.delete(oldest[0]);
  cursor.head = undefined;
  return oldest;
}
