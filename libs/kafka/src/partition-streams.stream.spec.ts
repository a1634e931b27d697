import type { KafkaMessage } from 'kafkajs';
import { filter, map, mergeMap, startWith, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { partitionStreams, type PartitionInput } from './partition-streams';
import type { PartitionBatch } from './transactional-pipeline';

const batch = (partition: number, offset: number): PartitionBatch => ({
  topic: 'alerts',
  partition,
  highWatermark: String(offset),
  messages: [{ offset: String(offset) } as KafkaMessage],
});
const started = (partition: number): PartitionInput => ({
  started: { topic: 'alerts', partition },
});
const keyOf = (item: PartitionInput): string =>
  `p${'started' in item ? item.started.partition : item.partition}`;

/** Each stream as 'open <key>' when it opens, then '<key>@<offset>' per batch it passes on. */
const shown = (items: Observable<PartitionInput>, ends: Observable<string>): Observable<string> =>
  items.pipe(
    partitionStreams(keyOf, (key) => ends.pipe(filter((ended) => ended === key))),
    mergeMap(({ key, batches }) =>
      batches.pipe(
        map((fetched) => `${key}@${fetched.messages[0]?.offset}`),
        startWith(`open ${key}`),
      ),
    ),
  );

describe('partition streams (virtual time)', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('opens a started partition before any batch, passes its later batches on, and ignores a start of an open stream', () => {
    scheduler.run(({ hot, expectObservable }) => {
      const items = hot<PartitionInput>('-s-a-t-b', {
        s: started(0),
        a: batch(0, 0),
        t: started(0),
        b: batch(0, 1),
      });
      expectObservable(shown(items, hot<string>('-'))).toBe('-o-a---b', {
        o: 'open p0',
        a: 'p0@0',
        b: 'p0@1',
      });
    });
  });

  it('opens a partition by its first batch without a start, each partition on its own', () => {
    scheduler.run(({ hot, expectObservable }) => {
      const items = hot<PartitionInput>('-a----s', { a: batch(0, 7), s: started(1) });
      expectObservable(shown(items, hot<string>('-'))).toBe('-(oa)-p', {
        o: 'open p0',
        a: 'p0@7',
        p: 'open p1',
      });
    });
  });

  it('after its stream ended (revoked, or a failed transaction), a start or a batch opens a new one', () => {
    scheduler.run(({ hot, expectObservable }) => {
      const items = hot<PartitionInput>('-s--t-a', {
        s: started(0),
        t: started(0),
        a: batch(0, 3),
      });
      const ends = hot<string>('---e', { e: 'p0' });
      expectObservable(shown(items, ends)).toBe('-o--o-a', {
        o: 'open p0',
        a: 'p0@3',
      });
    });
  });
});
