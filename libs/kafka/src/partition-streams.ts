import { filter, groupBy, map, ReplaySubject, type Observable, type OperatorFunction } from 'rxjs';
import type { PartitionBatch, TopicPartitionRef } from './transactional-pipeline';

/** A partition started on assignment (`startOnAssignment`): its stream opens without a batch. */
export interface PartitionStarted {
  readonly started: TopicPartitionRef;
}

export type PartitionInput = PartitionBatch | PartitionStarted;

export interface PartitionStream {
  readonly key: string;
  readonly batches: Observable<PartitionBatch>;
}

const isBatch = (item: PartitionInput): item is PartitionBatch => !('started' in item);

/**
 * One stream per partition (`groupBy` on `keyOf`), opened by the partition's first batch or by
 * its start, whichever comes first, and ended by `endOf(key)`; the next item of the partition
 * opens a new one. A start only opens a stream: it is not passed on, nor does one on an open
 * stream do anything. Each stream replays the batch that opened it to its subscriber, which
 * may subscribe later (Nest's handler proxy is asynchronous).
 */
export function partitionStreams(
  keyOf: (item: PartitionInput) => string,
  endOf: (key: string) => Observable<unknown>,
): OperatorFunction<PartitionInput, PartitionStream> {
  return (items) =>
    items.pipe(
      groupBy(keyOf, { duration: (group) => endOf(group.key) }),
      map((group) => {
        const batches = new ReplaySubject<PartitionBatch>(1);
        group.pipe(filter(isBatch)).subscribe(batches);
        return { key: group.key, batches };
      }),
    );
}
