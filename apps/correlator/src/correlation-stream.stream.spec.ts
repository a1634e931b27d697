import type { KafkaMessage } from 'kafkajs';
import { map, of } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { PartitionBatch } from '@soc/kafka';
import { correlationStream } from './correlation-stream';

/** A fetched batch of records at `offsets`; a record's value is its offset. */
const batch = (...offsets: number[]): PartitionBatch => ({
  topic: 'alerts',
  partition: 0,
  highWatermark: String(offsets[offsets.length - 1] ?? 0),
  messages: offsets.map((offset) => ({ offset: String(offset) }) as KafkaMessage),
});

interface StreamTiming {
  readonly flushMs: number;
  readonly maxRecords: number;
  readonly idleTickMs?: number;
  /** The idle ticks that close something, by their wall-clock time; every other closes nothing. */
  readonly closingAt?: readonly number[];
}

/**
 * The stream over `batches`, each transaction shown as the offsets it holds ('0-2'), an idle
 * tick's as `tick@<time>`.
 */
function transactionsOf(
  scheduler: TestScheduler,
  batches: Parameters<ReturnType<typeof correlationStream<string>>>[0],
  { flushMs, maxRecords, idleTickMs = 0, closingAt = [] }: StreamTiming,
) {
  const groups: string[][] = [];
  const stream = batches.pipe(
    correlationStream<string>(
      {
        decode: (fetched) => of(fetched.messages.map((message) => message.offset)),
        correlate: (records) => {
          groups.push([...records]);
          return { produced: [], lastOffset: records[records.length - 1] as string };
        },
        idle: (arrivalTime) =>
          closingAt.includes(arrivalTime)
            ? { produced: [{ topic: `tick@${arrivalTime}`, messages: [] }], lastOffset: null }
            : null,
      },
      { flushMs, maxRecords, idleTickMs, scheduler },
    ),
    map((transaction) => {
      if (transaction.lastOffset === null) return transaction.produced[0]?.topic;
      const records = groups.shift() as string[];
      expect(transaction.lastOffset).toBe(records[records.length - 1]);
      return `${records[0]}-${transaction.lastOffset}`;
    }),
  );
  return stream;
}

describe('the correlator partition stream (virtual time)', () => {
  let scheduler: TestScheduler;
  beforeEach(() => {
    scheduler = new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  });

  it('cuts a fetched batch larger than the size bound into transactions at once, and commits the rest one flush interval after the cut', () => {
    scheduler.run(({ hot, expectObservable }) => {
      const batches = hot('-a', { a: batch(0, 1, 2, 3, 4, 5, 6) });
      expectObservable(
        transactionsOf(scheduler, batches, { flushMs: 10, maxRecords: 3 }),
        '^ 40ms !',
      ).toBe('-(xy)------z', { x: '0-2', y: '3-5', z: '6-6' });
    });
  });

  it('holds a partial micro-batch at most one flush interval and joins batches fetched within it', () => {
    scheduler.run(({ hot, expectObservable }) => {
      const batches = hot('--a--b', { a: batch(0, 1), b: batch(2, 3) });
      expectObservable(
        transactionsOf(scheduler, batches, { flushMs: 10, maxRecords: 100 }),
        '^ 40ms !',
      ).toBe('----------x', { x: '0-3' });
    });
  });

  it('emits no transaction for a flush interval without records, and the next batch goes out at the following cut', () => {
    scheduler.run(({ hot, expectObservable }) => {
      const batches = hot('-a 23ms b', { a: batch(0), b: batch(1, 2) });
      expectObservable(
        transactionsOf(scheduler, batches, { flushMs: 10, maxRecords: 100 }),
        '^ 60ms !',
      ).toBe('10ms x 19ms y', { x: '0-0', y: '1-2' });
    });
  });

  it('keeps offset order across batches cut at the size bound', () => {
    scheduler.run(({ hot, expectObservable }) => {
      const batches = hot('-a-b', { a: batch(0, 1, 2), b: batch(3, 4, 5, 6) });
      expectObservable(
        transactionsOf(scheduler, batches, { flushMs: 10, maxRecords: 2 }),
        '^ 40ms !',
      ).toBe('-x-(yz)------w', { x: '0-1', y: '2-3', z: '4-5', w: '6-6' });
    });
  });

  it('ticks a quiet partition with the wall clock once it has been quiet for the idle interval, and commits only the ticks that close something', () => {
    scheduler.run(({ hot, expectObservable }) => {
      const batches = hot('-a', { a: batch(0) });
      expectObservable(
        transactionsOf(scheduler, batches, {
          flushMs: 10,
          maxRecords: 100,
          idleTickMs: 30,
          closingAt: [61, 91],
        }),
        '^ 100ms !',
      ).toBe('10ms x 50ms y 29ms z', { x: '0-0', y: 'tick@61', z: 'tick@91' });
    });
  });

  it('restarts the idle interval at every record, so a busy partition gets no idle tick', () => {
    scheduler.run(({ hot, expectObservable }) => {
      const batches = hot('-a 19ms b 19ms c', { a: batch(0), b: batch(1), c: batch(2) });
      expectObservable(
        transactionsOf(scheduler, batches, {
          flushMs: 10,
          maxRecords: 100,
          idleTickMs: 30,
          closingAt: [31, 51, 71],
        }),
        '^ 60ms !',
      ).toBe('10ms x 19ms y 19ms z', { x: '0-0', y: '1-1', z: '2-2' });
    });
  });

  it('ticks a partition quiet from its start, before any record arrives', () => {
    scheduler.run(({ hot, expectObservable }) => {
      const batches = hot<PartitionBatch>('-');
      expectObservable(
        transactionsOf(scheduler, batches, {
          flushMs: 10,
          maxRecords: 100,
          idleTickMs: 30,
          closingAt: [30],
        }),
        '^ 50ms !',
      ).toBe('30ms t', { t: 'tick@30' });
    });
  });

  it('sends no idle tick when the idle interval is 0', () => {
    scheduler.run(({ hot, expectObservable }) => {
      const batches = hot('-a', { a: batch(0) });
      expectObservable(
        transactionsOf(scheduler, batches, { flushMs: 10, maxRecords: 100, closingAt: [11] }),
        '^ 100ms !',
      ).toBe('10ms x', { x: '0-0' });
    });
  });
});
