import type { Consumer, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { uniqueName } from './unique-name';
import { waitFor } from './wait-for';

/** One record as a spec sees it: where it is, its key, its bytes and its headers as text. */
export interface TailedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

export interface TopicTailOptions {
  /** Read committed (the default) is what downstream consumers see. */
  readonly readUncommitted?: boolean;
}

/**
 * Reads a shared topic (the app's output topic names are fixed) from the offsets it had when
 * the tail started, with a consumer group of its own: records written before belong to other
 * runs and are never fetched, so the cost of a spec does not grow with the topic. Specs pick
 * their own records out by tenant or by a marker they wrote.
 */
export class TopicTail {
  private readonly received: TailedRecord[] = [];
  /** Per partition, the offset up to which everything has been fetched. */
  private readonly positions = new Map<number, bigint>();
  private readonly startAt = new Map<number, bigint>();
  private readonly seen = new Set<string>();

  private constructor(
    private readonly kafka: Kafka,
    readonly topic: string,
    private readonly consumer: Consumer,
  ) {}

  static async start(
    kafka: Kafka,
    topic: string,
    options: TopicTailOptions = {},
  ): Promise<TopicTail> {
    const admin = kafka.admin();
    await admin.connect();
    let offsets: { partition: number; high: string }[];
    try {
      offsets = await admin.fetchTopicOffsets(topic);
    } finally {
      await admin.disconnect();
    }
    const consumer = kafka.consumer({
      groupId: uniqueName(`tail-${topic}`),
      readUncommitted: options.readUncommitted ?? false,
      maxWaitTimeInMs: 100,
    });
    const tail = new TopicTail(kafka, topic, consumer);
    for (const { partition, high } of offsets) {
      tail.startAt.set(partition, BigInt(high));
      tail.positions.set(partition, BigInt(high));
    }
    await consumer.connect();
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      tail.advance(payload.partition, BigInt(payload.firstOffset), BigInt(payload.lastOffset));
    });
    await consumer.subscribe({ topic });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) tail.receive(batch.topic, batch.partition, message);
      },
    });
    // The group is new and commits nothing; seek (after run, as kafkajs requires) pins where it
    // reads from. Anything fetched before the seek is fetched again and skipped as seen.
    for (const { partition, high } of offsets) consumer.seek({ topic, partition, offset: high });
    return tail;
  }

  records(): readonly TailedRecord[] {
    return this.received;
  }

  /**
   * Waits until the tail has fetched everything the topic holds now: afterwards, a record that
   * is not in `records()` was never written (or, reading committed, never committed).
   */
  async catchUp({ timeoutMs = 30_000 }: { readonly timeoutMs?: number } = {}): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    let ends: { partition: number; high: string; low: string }[];
    try {
      ends = await admin.fetchTopicOffsets(this.topic);
    } finally {
      await admin.disconnect();
    }
    await waitFor(
      () =>
        ends.every(({ partition, high }) => {
          const end = BigInt(high);
          const position = this.positions.get(partition) ?? 0n;
          return position >= end;
        }),
      {
        timeoutMs,
        describe: `the tail of ${this.topic} to reach ${JSON.stringify(ends.map((e) => [e.partition, e.high]))}`,
      },
    );
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }

  private receive(topic: string, partition: number, message: KafkaMessage): void {
    const offset = BigInt(message.offset);
    const id = `${partition}:${message.offset}`;
    if (offset < (this.startAt.get(partition) ?? 0n) || this.seen.has(id)) return;
    this.seen.add(id);
    this.received.push({
      topic,
      partition,
      offset: message.offset,
      key: message.key?.toString('utf8') ?? null,
      value: message.value,
      headers: headersAsText(message.headers),
    });
  }

  /**
   * Moves the read position over a fetched batch (its offsets count transaction markers and
   * aborted records too), but only over one that continues from it: a batch fetched before the
   * seek may start beyond the records still to be read.
   */
  private advance(partition: number, firstOffset: bigint, lastOffset: bigint): void {
    const position = this.positions.get(partition) ?? 0n;
    if (firstOffset <= position && lastOffset + 1n > position)
      this.positions.set(partition, lastOffset + 1n);
  }
}

export function headersAsText(headers: IHeaders | undefined): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) text[name] = first.toString();
  }
  return text;
}
