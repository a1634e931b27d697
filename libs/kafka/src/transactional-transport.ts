import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { BaseRpcContext, Server, type CustomTransportStrategy } from '@nestjs/microservices';
import {
  Observable,
  Subject,
  dematerialize,
  filter,
  finalize,
  from,
  map,
  materialize,
  mergeAll,
  mergeMap,
  takeUntil,
  takeWhile,
  tap,
  throwError,
  type ObservableNotification,
  type Subscription,
} from 'rxjs';
import {
  ownerOf,
  partitionKey,
  refOfKey,
  TransactionalPipeline,
  type PartitionBatch,
  type PartitionTransaction,
  type TopicPartitionRef,
  type TransactionalPipelineOptions,
} from './transactional-pipeline';
import { partitionStreams, type PartitionInput } from './partition-streams';

/** What a partition's handler receives beside its batches: which partition it serves. */
export class PartitionContext extends BaseRpcContext<[TopicPartitionRef]> {
  get topic(): string {
    return this.args[0].topic;
  }

  get partition(): number {
    return this.args[0].partition;
  }
}

/**
 * The handler of a topic, declared with `@EventPattern(topic)`: called once per partition this
 * instance starts to own (with co-partitioned topics, the first topic's handler receives the
 * batches of partition p of every topic, and the context names the first topic) (and again after a failed transaction), with the partition's batches
 * as they are fetched; returns the transactions to commit, in order. State the handler keeps
 * for the partition is (re)built when it is called: recovery is the stream's first step.
 */
export type PartitionHandler = (
  batches: Observable<PartitionBatch>,
  context: PartitionContext,
) => Observable<PartitionTransaction>;

export type TransactionalTransportOptions = Omit<
  TransactionalPipelineOptions,
  'process' | 'onPartitionAssigned' | 'onPartitionRevoked' | 'onPartitionStarted'
>;

interface KeyedNotification {
  readonly key: string;
  readonly notification: ObservableNotification<PartitionTransaction>;
}

/**
 * Nest's exception layer turns a handler's error into `{ status, message }`; a consumer needs
 * the error itself (a bug must crash the consumer with its message, see the pipeline's CRASH
 * handling), so every handler of this transport rethrows what it caught.
 */
@Catch()
export class RethrowToTransport implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}

/**
 * A Nest microservice transport around the exactly-once `TransactionalPipeline` (the built-in
 * Kafka transport has no transactions). One RxJS stream per input partition (`groupBy`), handed
 * to the topic's `@EventPattern` handler, which returns the partition's transactions; the
 * pipeline commits them one after another and finishes a fetched batch, resolving its offsets,
 * when the transaction holding its last record has committed. A partition's stream ends when
 * the partition is revoked or must be recovered (a failed transaction), so the next batch
 * starts it afresh; with `startOnAssignment` a partition's stream also starts when the group
 * assigns it, before and without any batch. kafkajs hands over one batch at a time and waits for it: the subjects here
 * never hold more than that batch.
 */
export class TransactionalKafkaTransport extends Server implements CustomTransportStrategy {
  private pipeline: TransactionalPipeline | undefined;
  private subscription: Subscription | undefined;
  private readonly batches = new Subject<PartitionInput>();
  private readonly ended = new Subject<string>();
  private readonly outputs = new Subject<KeyedNotification>();
  /** Partitions with a fetched batch in flight: their transactions commit with the batch. */
  private readonly inFlight = new Set<string>();
  private betweenBatches: Subscription | undefined;

  constructor(private readonly options: TransactionalTransportOptions) {
    super();
  }

  listen(callback: (error?: unknown) => void): void {
    this.subscription = this.batches
      .pipe(
        partitionStreams(
          (item) => partitionKey('started' in item ? item.started : ownerOf(this.options, item)),
          (key) => this.endOf(key),
        ),
        mergeMap(({ key, batches }) =>
          from(this.handle(batches, refOfKey(key))).pipe(
            mergeAll(),
            takeUntil(this.endOf(key)),
            materialize(),
            // A failed stream is over: the next batch of the partition starts a new one.
            tap(({ kind }) => kind === 'E' && this.ended.next(key)),
            map((notification) => ({ key, notification })),
          ),
        ),
      )
      .subscribe(this.outputs);
    // Subscribed before any batch's reader, so it sees each output first, while the batch
    // that may take it is still marked in flight.
    this.betweenBatches = this.outputs.subscribe((output) => this.commitBetweenBatches(output));
    this.pipeline = new TransactionalPipeline({
      ...this.options,
      onPartitionAssigned: async (ref) => this.ended.next(partitionKey(ref)),
      onPartitionRevoked: async (ref) => this.ended.next(partitionKey(ref)),
      onPartitionStarted: (ref) => this.batches.next({ started: ref }),
      process: (batch) => this.transactionsOf(batch),
    });
    this.pipeline.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  async close(): Promise<void> {
    await this.pipeline?.stop();
    this.subscription?.unsubscribe();
    this.betweenBatches?.unsubscribe();
  }

  /** Throws while the consumer is not running or has crashed for good: the health check. */
  assertRunning(): void {
    if (!this.pipeline) throw new Error('consumer not started');
    this.pipeline.assertRunning();
  }

  on(): never {
    throw new Error('TransactionalKafkaTransport has no events to listen to');
  }

  unwrap<T>(): T {
    if (!this.pipeline) throw new Error('TransactionalKafkaTransport is not listening');
    return this.pipeline as T;
  }

  private endOf(key: string): Observable<string> {
    return this.ended.pipe(filter((ended) => ended === key));
  }

  /**
   * A transaction a partition's stream emits while none of its batches is in flight (a
   * timer's, covering no input record) commits on its own, in order with the others. If it
   * fails, the stream's state is ahead of the log: the stream ends, and the next batch
   * starts it afresh from the log.
   */
  private commitBetweenBatches({ key, notification }: KeyedNotification): void {
    if (this.inFlight.has(key)) return;
    const { logger } = this.options;
    if (notification.kind === 'E') {
      logger.error({ err: notification.error, partition: key }, 'partition stream failed');
      return;
    }
    if (notification.kind !== 'N' || !this.pipeline) return;
    // Input records are covered only by transactions their batch commits.
    if (notification.value.lastOffset !== null) {
      logger.error({ partition: key }, 'a transaction covering input emitted between batches');
      this.ended.next(key);
      return;
    }
    this.pipeline
      .commitBetweenBatches(refOfKey(key), notification.value.produced)
      .catch((error: unknown) => {
        logger.warn({ err: error, partition: key }, 'transaction between batches failed');
        this.ended.next(key);
      });
  }

  /** Feeds a batch to its partition's stream; emits that stream's transactions up to its end. */
  private transactionsOf(batch: PartitionBatch): Observable<PartitionTransaction> {
    const key = partitionKey(ownerOf(this.options, batch));
    const last = BigInt((batch.messages[batch.messages.length - 1] as { offset: string }).offset);
    return new Observable<PartitionTransaction>((subscriber) => {
      this.inFlight.add(key);
      const subscription = this.outputs
        .pipe(
          filter((output) => output.key === key),
          map((output) => output.notification),
          dematerialize(),
          takeWhile(({ lastOffset }) => lastOffset === null || BigInt(lastOffset) < last, true),
          finalize(() => this.inFlight.delete(key)),
        )
        .subscribe(subscriber);
      this.batches.next(batch);
      return subscription;
    });
  }

  private async handle(
    batches: Observable<PartitionBatch>,
    ref: TopicPartitionRef,
  ): Promise<Observable<PartitionTransaction>> {
    const handler = this.getHandlerByPattern(ref.topic);
    if (!handler) throw new Error(`no @EventPattern('${ref.topic}') handler is registered`);
    const result: unknown = await handler(batches, new PartitionContext([ref]));
    return this.transformToObservable(result as Observable<PartitionTransaction>);
  }
}
