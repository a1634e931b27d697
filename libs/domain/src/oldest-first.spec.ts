import { deleteOldest, evictionCursor, oldestEntry } from './oldest-first';

describe('deleteOldest', () => {
  it('deletes entries in insertion order, re-inserted keys counting as new', () => {
    const map = new Map([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    const cursor = evictionCursor<string>();
    expect(deleteOldest(map, cursor)).toEqual(['a', 1]);
    map.delete('b');
    map.set('b', 20);
    map.set('d', 4);
    expect(deleteOldest(map, cursor)).toEqual(['c', 3]);
    expect(deleteOldest(map, cursor)).toEqual(['b', 20]);
    expect(deleteOldest(map, cursor)).toEqual(['d', 4]);
    expect(deleteOldest(map, cursor)).toBeUndefined();
    map.set('e', 5);
    expect(deleteOldest(map, cursor)).toEqual(['e', 5]);
  });

  it('evicts like a fresh keys().next() would, over a long run of inserts and re-inserts', () => {
    const kept = new Map<number, number>();
    const fresh = new Map<number, number>();
    const cursor = evictionCursor<number>();
    for (let i = 0; i < 5_000; i += 1) {
      const key = i % 7 === 0 ? i - 3 : i;
      for (const map of [kept, fresh]) {
        map.delete(key);
        map.set(key, i);
      }
      if (kept.size > 100) {
        deleteOldest(kept, cursor);
        fresh.delete(fresh.keys().next().value as number);
      }
    }
    expect([...kept]).toEqual([...fresh]);
  });
});

describe('oldestEntry', () => {
  it('reads the first entry without deleting it, and follows deletions and re-inserts', () => {
    const map = new Map([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    const cursor = evictionCursor<string>();
    expect(oldestEntry(map, cursor)).toEqual(['a', 1]);
    expect(oldestEntry(map, cursor)).toEqual(['a', 1]);
    map.delete('a');
    map.set('a', 10);
    expect(oldestEntry(map, cursor)).toEqual(['b', 2]);
    expect(deleteOldest(map, cursor)).toEqual(['b', 2]);
    map.delete('c');
    expect(oldestEntry(map, cursor)).toEqual(['a', 10]);
    expect(deleteOldest(map, cursor)).toEqual(['a', 10]);
    expect(oldestEntry(map, cursor)).toBeUndefined();
  });
});
