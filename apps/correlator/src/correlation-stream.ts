import type { PartitionBatch, PartitionTransaction } from '@soc/kafka';
import {
  asyncScheduler,
  bufferTime,
  concatMap,
  filter,
  map,
  mergeAll,
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
  /** The clock of the flush timer: virtual time in the stream specs. */
  readonly scheduler?: SchedulerLike;
}

export interface CorrelationStreamSteps<R> {
  /** Decodes a fetched batch into its records, in offset order (one emission). */
  readonly decode: (batch: PartitionBatch) => ObservableInput<readonly R[]>;
  /** Folds a micro-batch into the partition's state: the pure decider, then a flush tick. */
  readonly correlate: (records: readonly R[]) => PartitionTransaction;
}

/**
 * One partition's stream: fetched batches, decoded in order (`concatMap`), cut into
 * micro-batches of at most `maxRecords` or `flushMs` of wall-clock time (`bufferTime`), each
 * folded into the partition's correlation state and turned into one transaction. The timer only
 * decides when records are committed; which alerts belong together is decided on event time by
 * the pure decider, so a replay of the same alerts gives the same incidents. The timer's empty
 * buffers (idle ticks) are dropped: every transaction already ends with the decider's flush
 * tick, and the watermark moves with event time only. Keyed state lives in the decider's
 * plain maps, not in one RxJS group per correlation key.
 */
export function correlationStream<R>(
  steps: CorrelationStreamSteps<R>,
  { flushMs, maxRecords, scheduler = asyncScheduler }: MicroBatching,
): OperatorFunction<PartitionBatch, PartitionTransaction> {
  return (batches) =>
    batches.pipe(
      concatMap((batch) => steps.decode(batch)),
      mergeAll(),
      bufferTime(flushMs, null, maxRecords, scheduler),
      filter((records) => records.length > 0),
      map((records) => steps.correlate(records)),
    );
}
