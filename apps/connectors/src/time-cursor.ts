/**
 * Where a time-windowed poller stands, and what it has already produced. Sources index an
 * alert some time after its own timestamp (a Splunk notable lands when its correlation search
 * runs, a Kibana alert when its rule run flushes), so each poll reaches back `overlapMs` before
 * the cursor and drops the ids it has already produced there. The cursor is stored with the
 * records it produced (connector-runner.ts), so a restart resumes at exactly this state.
 *
 * Pure: times are inputs, nothing reads a clock.
 */
export interface TimeCursor {
  /** Every item at or before this time (epoch ms) has been produced, up to the overlap. */
  readonly after: number;
  /** Ids produced with a time in [after - overlap, after]: the de-duplication memory. */
  readonly seen: readonly SeenItem[];
}

export interface SeenItem {
  readonly id: string;
  readonly at: number;
}

export interface CursorPolicy {
  readonly overlapMs: number;
  /** Bound on the memory; beyond it the oldest ids are forgotten first. */
  readonly maxSeen: number;
}

export const startingCursor = (after: number): TimeCursor => ({ after, seen: [] });

/** Where the next query starts: the overlap before the cursor. */
export const queryFrom = (cursor: TimeCursor, policy: CursorPolicy): number =>
  Math.max(0, cursor.after - policy.overlapMs);

/**
 * Takes a page of items (in any order): returns the ones not produced yet, in page order, and
 * the cursor after producing them. `upTo`, when given, is the end of a window the source has
 * fully answered, so the cursor may move there even when the window held nothing.
 */
export function advanceCursor<T extends SeenItem>(
  cursor: TimeCursor,
  items: readonly T[],
  policy: CursorPolicy,
  upTo?: number,
): { readonly fresh: readonly T[]; readonly cursor: TimeCursor } {
  const known = new Set(cursor.seen.map((item) => item.id));
  const fresh: T[] = [];
  for (const item of items) {
    if (known.has(item.id)) continue;
    known.add(item.id);
    fresh.push(item);
  }
  let after = cursor.after;
  for (const item of fresh) after = Math.max(after, item.at);
  if (upTo !== undefined) after = Math.max(after, upTo);
  const horizon = after - policy.overlapMs;
  const seen = [...cursor.seen, ...fresh.map(({ id, at }) => ({ id, at }))]
    // Inclusive, as the next query is: an item exactly at the horizon is queried again.
    .filter((item) => item.at >= horizon)
    .sort((a, b) => a.at - b.at)
    .slice(-policy.maxSeen);
  return { fresh, cursor: { after, seen } };
}
