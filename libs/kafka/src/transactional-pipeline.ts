import {
  Partitioners,
  type Admin,
  type Consumer,
  type ConsumerConfig,
  type Kafka,
  type KafkaMessage,
  type Message,
  type Producer,
  type TopicMessages,
} from 'kafkajs';
import { retryKafkaStartUp } from './start-up-retry';
import type { Logger } from 'pino';
import { concatMap, isObservable, lastValueFrom, of, type Observable } from 'rxjs';
import { coPartitionedAssigner } from './co-partitioned-assigner';

export interface TopicPartitionRef {
  readonly topic: string;
  readonly partition: number;
}

export interface PartitionBatch extends TopicPartitionRef {
  readonly messages: readonly KafkaMessage[];
  readonly highWatermark: string;
}

export interface TransactionalPipelineOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly topics: readonly string[];
  /**
   * The topics are co-partitioned (same key, same partition count, each record on the partition
   * number of what caused it): partition p of every topic has one owner (the co-partitioned
   * assignor), one transactional producer and one state, named after the first topic. Batches of
   * p from any topic go through that producer, one after another, each transaction committing
   * its own topic's offsets. Without it every topic partition is on its own.
   */
  readonly coPartitioned?: boolean;
  /** Prefix of the per-partition transactional ids; stable across restarts of the app. */
  readonly transactionalIdPrefix: string;
  readonly logger: Logger;
  readonly consumer?: Partial<ConsumerConfig>;
  /**
   * Runs before the first batch of a partition this instance did not own, and again after a
   * failed transaction: rebuild whatever state the processor keeps for the partition.
   */
  readonly onPartitionAssigned?: (partition: TopicPartitionRef) => Promise<void>;
  readonly onPartitionRevoked?: (partition: TopicPartitionRef) => Promise<void>;
  /**
   * Initialize every partition as soon as the group assigns it (then `onPartitionStarted`),
   * not at its first batch: for a processor with timers of its own (the correlator's idle
   * ticks), which must run on a partition that receives nothing after a restart.
   */
  readonly startOnAssignment?: boolean;
  /** With `startOnAssignment`: the partition was initialized on assignment, before any batch. */
  readonly onPartitionStarted?: (partition: TopicPartitionRef) => void;
  /**
   * Turns one consumed batch into the records to produce (one transaction), or into a stream
   * of transactions committed in order, the last of which ends at the batch's last record.
   */
  readonly process: (
    batch: PartitionBatch,
  ) => Promise<TopicMessages[]> | TopicMessages[] | Observable<PartitionTransaction>;
}

/** Records to produce and the input offset up to which they account, committed together. */
export interface PartitionTransaction {
  readonly produced: readonly TopicMessages[];
  /**
   * The last input record this transaction covers; `offset + 1` is committed with it. Null for
   * a transaction of the partition's own that covers no input record (a timer's, between
   * batches): its outputs commit alone, on the partition's producer, in order with the rest.
   */
  readonly lastOffset: string | null;
}

/** A topic partition as one string key, and back (`refOfKey`). */
export const partitionKey = ({ topic, partition }: TopicPartitionRef): string =>
  `${topic}:${partition}`;

export const refOfKey = (key: string): TopicPartitionRef => {
  const separator = key.lastIndexOf(':');
  return { topic: key.slice(0, separator), partition: Number(key.slice(separator + 1)) };
};

/** The owners (see ownerOf) of a member assignment's partitions, as keys. */
const ownedKeysOf = (
  options: Pick<TransactionalPipelineOptions, 'topics' | 'coPartitioned'>,
  assignment: Record<string, number[]>,
): Set<string> =>
  new Set(
    Object.entries(assignment).flatMap(([topic, partitions]) =>
      partitions.map((partition) => partitionKey(ownerOf(options, { topic, partition }))),
    ),
  );

/** Who owns a topic partition: itself, or partition p of the first topic when co-partitioned. */
export function ownerOf(
  options: Pick<TransactionalPipelineOptions, 'topics' | 'coPartitioned'>,
  ref: TopicPartitionRef,
): TopicPartitionRef {
  const first = options.topics[0];
  return options.coPartitioned === true && first !== undefined
    ? { topic: first, partition: ref.partition }
    : ref;
}

/**
 * Exactly-once consume-transform-produce. Each input partition has its own transactional
 * producer (transactional id derived from topic and partition): kafkajs commits offsets in a
 * transaction without KIP-447 fencing, so one producer per partition is what fences a stale
 * owner after a rebalance. The outputs and the consumed offsets commit in one transaction;
 * downstream consumers read committed.
 */
export class TransactionalPipeline {
  private readonly consumer: Consumer;
  private readonly admin: Admin;
  private readonly producers = new Map<string, Producer>();
  /** Partitions whose state is ready; anything else is (re)initialized before its batch. */
  private readonly initialized = new Set<string>();
  /** Initializations under way, so an assignment's and a first batch's run only once. */
  private readonly initializing = new Map<string, Promise<void>>();
  /** Per owned partition: the commit in flight, so commits of a partition never overlap. */
  private readonly commits = new Map<string, Promise<void>>();
  /**
   * Per input topic partition, the group's offset as read right after fencing the previous
   * owner. kafkajs read the offset it fetches from before that, so a stale owner could still
   * commit in between (no KIP-447 generation check); records below this were committed by it.
   */
  private readonly fencedOffsets = new Map<string, bigint>();
  /** Set when the consumer crashed and kafkajs will not restart it. */
  private failure: Error | undefined;

  constructor(private readonly options: TransactionalPipelineOptions) {
    this.admin = options.kafka.admin();
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false,
      maxWaitTimeInMs: 100,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      ...(options.coPartitioned === true ? { partitionAssigners: [coPartitionedAssigner] } : {}),
      ...options.consumer,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      void this.releaseRevoked(payload.memberAssignment).then(() =>
        options.startOnAssignment === true
          ? this.startAssigned(payload.memberAssignment)
          : undefined,
      );
    });
    // kafkajs restarts the consumer after retriable errors only: after a bug (a TypeError from
    // `process`) it disconnects for good while the process lives on, consuming nothing.
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) return;
      this.failure = payload.error;
      options.logger.fatal(
        { err: payload.error, groupId: options.groupId },
        'consumer crashed and will not restart',
      );
    });
  }

  /** Throws once the consumer has stopped for good, so /health reports the stall. */
  assertRunning(): void {
    if (this.failure) throw new Error(`consumer crashed: ${this.failure.message}`);
  }

  async start(): Promise<void> {
    const retry = { logger: this.options.logger, describe: `consumer ${this.options.groupId}` };
    await retryKafkaStartUp(() => this.admin.connect(), { ...retry, describe: 'admin client' });
    await retryKafkaStartUp(() => this.consumer.connect(), retry);
    for (const topic of this.options.topics) {
      await this.consumer.subscribe({ topic, fromBeginning: true });
    }
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        if (!isRunning() || isStale() || batch.messages.length === 0) return;
        const ref = { topic: batch.topic, partition: batch.partition };
        const key = partitionKey(ref);
        const owner = ownerOf(this.options, ref);
        await this.initialize(owner);
        const lastOffset = batch.messages[batch.messages.length - 1]?.offset as string;
        const messages = messagesFrom(batch.messages, this.fencedOffsets.get(key));
        if (messages.length < batch.messages.length)
          this.options.logger.warn(
            { ...ref, skipped: batch.messages.length - messages.length },
            'skipped records a previous owner committed after this instance read the offsets',
          );
        if (messages.length === 0) {
          resolveOffset(lastOffset);
          return;
        }
        const partitionBatch: PartitionBatch = {
          ...ref,
          messages,
          highWatermark: batch.highWatermark,
        };
        const result = await this.options.process(partitionBatch);
        const transactions = isObservable(result)
          ? result
          : of(transactionOf(partitionBatch, result));
        let committed: string | undefined;
        // One transaction after the other: a batch is finished, and its offsets resolved, only
        // when the transaction holding its last record has committed.
        await lastValueFrom(
          transactions.pipe(
            concatMap(async (transaction) => {
              await this.commitTransaction(ref, transaction.produced, transaction.lastOffset);
              if (transaction.lastOffset !== null) {
                resolveOffset(transaction.lastOffset);
                committed = transaction.lastOffset;
              }
              await heartbeat();
            }),
          ),
          { defaultValue: undefined },
        );
        if (committed !== lastOffset)
          throw new Error(
            `the transactions of ${key} ended at offset ${committed ?? 'none'}, before the batch's last record ${lastOffset}`,
          );
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
    await this.admin.disconnect();
    await Promise.all([...this.producers.values()].map((producer) => producer.disconnect()));
    this.producers.clear();
    this.initialized.clear();
    this.fencedOffsets.clear();
  }

  /**
   * Commits a transaction that covers no input record (`lastOffset` null) while no batch of
   * the partition is in flight: a timer's outputs. Refused when the partition is not owned
   * or its state is being rebuilt, since the outputs were decided from the state that is gone.
   */
  async commitBetweenBatches(
    ref: TopicPartitionRef,
    produced: readonly TopicMessages[],
  ): Promise<void> {
    await this.commitTransaction(ref, produced, null);
  }

  /** One commit after the other per owned partition, whichever path (batch or timer) asks. */
  private commitTransaction(
    ref: TopicPartitionRef,
    produced: readonly TopicMessages[],
    lastOffset: string | null,
  ): Promise<void> {
    const key = partitionKey(ownerOf(this.options, ref));
    const previous = this.commits.get(key) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(() => this.commitNow(ref, produced, lastOffset));
    this.commits.set(key, next);
    const forget = (): void => {
      if (this.commits.get(key) === next) this.commits.delete(key);
    };
    next.then(forget, forget);
    return next;
  }

  private async commitNow(
    ref: TopicPartitionRef,
    produced: readonly TopicMessages[],
    lastOffset: string | null,
  ): Promise<void> {
    const owner = ownerOf(this.options, ref);
    if (!this.initialized.has(partitionKey(owner)))
      throw new Error(
        `${partitionKey(owner)} is not owned or its state is being rebuilt: its outputs are not committed`,
      );
    const producer = await this.producerFor(owner);
    const transaction = await producer.transaction();
    try {
      const topicMessages = produced.filter((t) => t.messages.length > 0);
      // One produce request per chunk: a partition's messages of one request form one record
      // batch, and the broker refuses a batch over message.max.bytes (1 MiB by default).
      for (const chunk of chunkTopicMessages(topicMessages))
        await transaction.sendBatch({ topicMessages: chunk, acks: -1 });
      if (lastOffset !== null)
        await transaction.sendOffsets({
          consumerGroupId: this.options.groupId,
          topics: [
            {
              topic: ref.topic,
              partitions: [
                { partition: ref.partition, offset: (BigInt(lastOffset) + 1n).toString() },
              ],
            },
          ],
        });
      await transaction.commit();
    } catch (error) {
      // The processor's in-memory state already moved past this batch; it is rebuilt from
      // the committed log before the partition is processed again.
      this.initialized.delete(partitionKey(owner));
      await transaction.abort().catch((abortError: unknown) => {
        this.options.logger.warn({ err: abortError, ...ref }, 'transaction abort failed');
      });
      await this.dropProducer(owner);
      throw error;
    }
  }

  /** Readies an owned partition once, whichever asks first: its first batch or its assignment. */
  private initialize(owner: TopicPartitionRef): Promise<void> {
    const key = partitionKey(owner);
    if (this.initialized.has(key)) return Promise.resolve();
    const pending = this.initializing.get(key);
    if (pending !== undefined) return pending;
    const started = (async () => {
      // Initializing the partition's transactional producer first aborts a previous owner's
      // open transaction, so the state rebuild reads a settled log.
      await this.producerFor(owner);
      await this.readOffsetsAfterFencing(owner);
      await this.options.onPartitionAssigned?.(owner);
      this.initialized.add(key);
    })().finally(() => this.initializing.delete(key));
    this.initializing.set(key, started);
    return started;
  }

  /**
   * Initializes the assigned partitions not yet owned and starts them. One that fails here
   * (the broker busy) is initialized again before its first batch, as without the option.
   */
  private async startAssigned(assignment: Record<string, number[]>): Promise<void> {
    for (const key of ownedKeysOf(this.options, assignment)) {
      if (this.initialized.has(key) || this.initializing.has(key)) continue;
      const owner = refOfKey(key);
      try {
        await this.initialize(owner);
        this.options.onPartitionStarted?.(owner);
      } catch (error) {
        this.options.logger.warn({ err: error, ...owner }, 'partition not started on assignment');
      }
    }
  }

  private async readOffsetsAfterFencing(owner: TopicPartitionRef): Promise<void> {
    const topics = this.options.coPartitioned === true ? this.options.topics : [owner.topic];
    const committed = await this.admin.fetchOffsets({
      groupId: this.options.groupId,
      topics: [...topics],
    });
    for (const { topic, partitions } of committed) {
      const found = partitions.find((p) => p.partition === owner.partition);
      const key = partitionKey({ topic, partition: owner.partition });
      if (found !== undefined && BigInt(found.offset) >= 0n)
        this.fencedOffsets.set(key, BigInt(found.offset));
      else this.fencedOffsets.delete(key);
    }
  }

  private async producerFor(ref: TopicPartitionRef): Promise<Producer> {
    const key = partitionKey(ref);
    const existing = this.producers.get(key);
    if (existing) return existing;
    const producer = this.options.kafka.producer({
      transactionalId: `${this.options.transactionalIdPrefix}-${ref.topic}-${ref.partition}`,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 60_000,
      createPartitioner: Partitioners.DefaultPartitioner,
      // A transaction that starts while the coordinator still writes the previous commit's
      // markers gets CONCURRENT_TRANSACTIONS; retry it within milliseconds, as the Java client
      // does, instead of the client-wide 200 ms backoff that would set the latency floor.
      retry: { initialRetryTime: 10, maxRetryTime: 1_000, retries: 12 },
    });
    await retryKafkaStartUp(() => producer.connect(), {
      logger: this.options.logger,
      describe: `transactional producer ${ref.topic}-${ref.partition}`,
    });
    this.producers.set(key, producer);
    return producer;
  }

  private async dropProducer(ref: TopicPartitionRef): Promise<void> {
    const key = partitionKey(ref);
    const producer = this.producers.get(key);
    this.producers.delete(key);
    await producer?.disconnect().catch(() => undefined);
  }

  private async releaseRevoked(assignment: Record<string, number[]>): Promise<void> {
    const owned = ownedKeysOf(this.options, assignment);
    for (const key of [...this.initialized]) {
      if (owned.has(key)) continue;
      const ref = refOfKey(key);
      this.initialized.delete(key);
      await this.dropProducer(ref);
      await this.options.onPartitionRevoked?.(ref);
    }
  }
}

/** The records of a batch from offset `committed` on; without one, all of them. */
export function messagesFrom(
  messages: readonly KafkaMessage[],
  committed: bigint | undefined,
): readonly KafkaMessage[] {
  if (committed === undefined) return messages;
  return messages.filter((message) => BigInt(message.offset) >= committed);
}

/** The transaction that writes `produced` and commits the offsets up to `batch`'s last record. */
export function transactionOf(
  batch: PartitionBatch,
  produced: readonly TopicMessages[],
): PartitionTransaction {
  const last = batch.messages[batch.messages.length - 1];
  if (!last) throw new Error(`empty batch of ${batch.topic}:${batch.partition}`);
  return { produced, lastOffset: last.offset };
}

/** Payload bytes (keys, values, headers) per produce request; well under the broker's 1 MiB. */
export const MAX_PRODUCE_REQUEST_BYTES = 512 * 1024;

const lengthOf = (value: Buffer | string | null | undefined): number =>
  value == null ? 0 : typeof value === 'string' ? Buffer.byteLength(value) : value.length;

function messageBytes(message: Message): number {
  let bytes = 64 + lengthOf(message.key) + lengthOf(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    bytes +=
      name.length +
      (Array.isArray(value)
        ? value.reduce((n: number, v) => n + lengthOf(v), 0)
        : lengthOf(value as Buffer | string | undefined));
  }
  return bytes;
}

/**
 * Splits what a batch produced into requests of at most `maxBytes` of payload each (a single
 * larger message goes alone), keeping every topic's messages in order.
 */
export function chunkTopicMessages(
  topicMessages: readonly TopicMessages[],
  maxBytes = MAX_PRODUCE_REQUEST_BYTES,
): TopicMessages[][] {
  const chunks: TopicMessages[][] = [];
  let chunk: TopicMessages[] = [];
  let bytes = 0;
  for (const { topic, messages } of topicMessages) {
    let current: Message[] = [];
    for (const message of messages) {
      const size = messageBytes(message);
      if (bytes > 0 && bytes + size > maxBytes) {
        if (current.length > 0) chunk.push({ topic, messages: current });
        chunks.push(chunk);
        chunk = [];
        current = [];
        bytes = 0;
      }
      current.push(message);
      bytes += size;
    }
    if (current.length > 0) chunk.push({ topic, messages: current });
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
