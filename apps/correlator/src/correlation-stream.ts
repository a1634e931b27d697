import type { EpochMs } from '@soc/contracts';
import type { PartitionBatch, PartitionTransaction } from '@soc/kafka';
import {
  asyncScheduler,
  bufferTime,
  concatMap,
  filter,
  interval,
  map,
  merge,
  mergeAll,
  share,
  startWith,
  switchMap,
  type ObservableInput,
  type OperatorFunction,
  type SchedulerLike,
} from 'rxjs';

export interface MicroBatching {
  /**
   * How long a partial micro-batch waits for more records before it is committed (counted from
   * the previous cut: a full micro-batch starts the next interval).
   */
  readonly flushMs: number;
  /** The most records one transaction holds (a fetched batch larger than this is cut). */
  readonly maxRecords: number;
  /**
   * How long a partition stays quiet (no record) before its wall-clock idle tick, and between
   * ticks while it stays quiet; 0 sends none. Longer than `flushMs`, so a tick never overtakes
   * a micro-batch still being filled.
   */
  readonly idleTickMs: number;
  /** The clock of the flush and idle timers: virtual time in the stream specs. */
  readonly scheduler?: SchedulerLike;
}

export interface CorrelationStreamSteps<R> {
  /** Decodes a fetched batch into its records, in offset order (one emission). */
  readonly decode: (batch: PartitionBatch) => ObservableInput<readonly R[]>;
  /** Folds a micro-batch into the partition's state: the pure decider, then a flush tick. */
  readonly correlate: (records: readonly R[]) => PartitionTransaction;
  /**
   * An idle tick at the wall-clock `arrivalTime`: the transaction of what it closes (covering
   * no input record), or null when it closes nothing, so a quiet partition commits nothing.
   */
  readonly idle: (arrivalTime: EpochMs) => PartitionTransaction | null;
}

/**
 * One partition's stream: fetched batches, decoded in order (`concatMap`), cut into
 * micro-batches of at most `maxRecords` or `flushMs` of wall-clock time (`bufferTime`), each
 * folded into the partition's correlation state and turned into one transaction. The flush
 * timer only decides when records are committed; which alerts belong together is decided on
 * event time by the pure decider, so a replay of the same alerts gives the same incidents.
 * Merged into it, an idle timer started with the stream and restarted by every record
 * (`switchMap`): once the partition has been quiet for `idleTickMs` it ticks with the wall
 * clock (a partition recovered on assignment ticks before any batch), so the decider closes the windows
 * of tenants none of whose alerts arrived for their idle timeout; only a tick that closes
 * something becomes a transaction, and what it closes is recorded (tick-caused events at the
 * watermark), so a replay decides the same. Keyed state lives in the decider's plain maps, not
 * in one RxJS group per correlation key.
 */
export function correlationStream<R>(
  steps: CorrelationStreamSteps<R>,
  { flushMs, maxRecords, idleTickMs, scheduler = asyncScheduler }: MicroBatching,
): OperatorFunction<PartitionBatch, PartitionTransaction> {
  return (batches) => {
    const records = batches.pipe(
      concatMap((batch) => steps.decode(batch)),
      mergeAll(),
      share(),
    );
    const microBatches = records.pipe(
      bufferTime(flushMs, null, maxRecords, scheduler),
      filter((buffered) => buffered.length > 0),
      map((buffered) => steps.correlate(buffered)),
    );
    if (idleTickMs <= 0) return microBatches;
    const idleTicks = records.pipe(
      startWith(undefined),
      switchMap(() => interval(idleTickMs, scheduler)),
      map(() => steps.idle(scheduler.now())),
      filter((transaction): transaction is PartitionTransaction => transaction !== null),
    );
    return merge(microBatches, idleTicks);
  };
}
