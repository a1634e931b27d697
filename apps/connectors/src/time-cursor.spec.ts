import { advanceCursor, queryFrom, startingCursor } from './time-cursor';

const policy = { overlapMs: 1_000, maxSeen: 3 };

describe('time cursor', () => {
  it('produces new items once and moves to the latest time', () => {
    const first = advanceCursor(
      startingCursor(0),
      [
        { id: 'a', at: 5_000 },
        { id: 'b', at: 4_000 },
      ],
      policy,
    );
    expect(first.fresh.map((i) => i.id)).toEqual(['a', 'b']);
    expect(first.cursor.after).toBe(5_000);
    const again = advanceCursor(
      first.cursor,
      [
        { id: 'a', at: 5_000 },
        { id: 'c', at: 4_500 },
      ],
      policy,
    );
    expect(again.fresh.map((i) => i.id)).toEqual(['c']);
  });

  it('queries from the overlap before the cursor, never before zero', () => {
    expect(queryFrom({ after: 5_000, seen: [] }, policy)).toBe(4_000);
    expect(queryFrom({ after: 500, seen: [] }, policy)).toBe(0);
  });

  it('forgets ids older than the overlap, and the oldest beyond the bound', () => {
    const items = [
      { id: 'old', at: 1_000 },
      { id: 'w', at: 9_100 },
      { id: 'x', at: 9_200 },
      { id: 'y', at: 9_300 },
      { id: 'z', at: 10_000 },
    ];
    const { cursor } = advanceCursor(startingCursor(0), items, policy);
    expect(cursor.seen.map((i) => i.id)).toEqual(['x', 'y', 'z']);
  });

  it('remembers an item exactly at the start of the next query', () => {
    const { cursor } = advanceCursor(
      startingCursor(0),
      [
        { id: 'edge', at: 4_000 },
        { id: 'last', at: 5_000 },
      ],
      policy,
    );
    expect(queryFrom(cursor, policy)).toBe(4_000);
    expect(advanceCursor(cursor, [{ id: 'edge', at: 4_000 }], policy).fresh).toEqual([]);
  });

  it('moves to the end of an answered window even when it held nothing', () => {
    expect(advanceCursor(startingCursor(1_000), [], policy, 60_000).cursor.after).toBe(60_000);
    expect(advanceCursor(startingCursor(90_000), [], policy, 60_000).cursor.after).toBe(90_000);
  });

  it('drops a duplicate inside one page', () => {
    const page = [
      { id: 'a', at: 1 },
      { id: 'a', at: 1 },
    ];
    expect(advanceCursor(startingCursor(0), page, policy).fresh).toHaveLength(1);
  });
});
