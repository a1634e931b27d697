import { randomUUID } from 'node:crypto';
import type { Admin, Batch, Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { TOPICS } from '@soc/contracts';
import { RedeliveryFilter, type RedeliveryBounds } from '@soc/domain';
import { retryKafkaStartUp } from '@soc/kafka';
import { REDELIVERY_KEY_HEADER } from './alert-publisher';

/** How long a partition's reading may stand still short of its end before it counts as read. */
const STALLED_MS = 1_000;

/** What the alert log shows written, whichever ingest process wrote it. */
export interface WrittenAlerts {
  /** Whether an alert with this re-delivery key is on the log within the horizon. */
  has(key: string, now: number): boolean;
  /** Resolves once every alert the log held when it was called is known to `has`. */
  caughtUp(): Promise<void>;
  /** Calls `listener` with each key read from the log; returns what unsubscribes it. */
  onWritten(listener: (key: string) => void): () => void;
}

/**
 * Ingest's re-delivery memory, derived from `soc.alerts.v1` itself: every alert ingest
 * produces carries its re-delivery key in a header, and each ingest process tails the whole
 * topic (read committed, in a consumer group of its own that commits nothing), remembering the
 * keys of the last horizon in a filter bounded in bytes. At start it reads from the offsets of
 * `now - horizon`, so a restarted process, and every replica, knows what any of them wrote.
 * Reading the topic costs each replica the headers of every alert the cluster takes.
 */
export class AlertLogTail implements WrittenAlerts {
  /** Partition -> the next offset to read (the offsets of markers and aborted records count). */
  private readonly positions = new Map<number, bigint>();
  /** Partition -> when its position last moved (wall clock). */
  private readonly movedAt = new Map<number, number>();
  /** When the consumer last joined its group; null while it is not in it (not reading). */
  private joinedAt: number | null = null;
  private readonly progress = new Set<() => void>();
  private readonly listeners = new Set<(key: string) => void>();
  private readonly written: RedeliveryFilter;
  private consumer: Consumer | undefined;
  /** Why the tail stopped for good (kafkajs gave up restarting it); undefined while it reads. */
  private stopped: Error | undefined;
  /** The check that will start when the running one ends: callers arriving now share it. */
  private queued: Promise<void> | undefined;
  private latest: Promise<void> = Promise.resolve();

  private constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    private readonly topic: string,
    bounds: RedeliveryBounds,
  ) {
    this.written = new RedeliveryFilter(bounds);
  }

  /** Reads the last horizon of the log, then keeps reading; resolves once caught up. */
  static async start({
    kafka,
    bounds,
    logger,
    topic = TOPICS.alerts,
    now = Date.now(),
  }: {
    readonly kafka: Kafka;
    readonly bounds: RedeliveryBounds;
    readonly logger: Logger;
    readonly topic?: string;
    readonly now?: number;
  }): Promise<AlertLogTail> {
    const retry = { logger, describe: 'the re-delivery memory of the alert log' };
    const admin = kafka.admin();
    await retryKafkaStartUp(() => admin.connect(), retry);
    const tail = new AlertLogTail(kafka, admin, topic, bounds);
    const from = await retryKafkaStartUp(
      () => admin.fetchTopicOffsetsByTimestamp(topic, now - bounds.horizonMs),
      retry,
    );
    for (const { partition, offset } of from) tail.positions.set(partition, BigInt(offset));
    await tail.run(retry);
    await tail.caughtUp();
    logger.info({ keys: tail.written.size, bytes: tail.written.bytesUsed }, 'alert log read');
    return tail;
  }

  has(key: string, now: number): boolean {
    return this.written.has(key, now);
  }

  onWritten(listener: (key: string) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  caughtUp(): Promise<void> {
    // A check that started before this call may have missed what was written just before it:
    // this call waits for the next one, which every caller arriving before it starts shares.
    this.queued ??= this.latest
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.reachEnds();
      });
    this.latest = this.queued;
    return this.queued;
  }

  /** For `/health`: every request waits on the tail, so one that stopped must show. */
  assertReading(): void {
    if (this.stopped) throw new Error(`the alert log tail stopped: ${this.stopped.message}`);
  }

  async close(): Promise<void> {
    await this.consumer?.disconnect();
    await this.admin.disconnect();
  }

  private async run(retry: { readonly logger: Logger; readonly describe: string }): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: `soc-ingest-redeliveries-${randomUUID()}`,
      readUncommitted: false,
      maxWaitTimeInMs: 100,
    });
    this.consumer = consumer;
    // Every join (the first, and kafkajs's own after a crash) resumes where reading stopped.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.joinedAt = Date.now();
      for (const [partition, offset] of this.positions)
        consumer.seek({ topic: this.topic, partition, offset: offset.toString() });
    });
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.topic !== this.topic) return;
      this.positions.set(payload.partition, BigInt(payload.lastOffset) + 1n);
      this.movedAt.set(payload.partition, Date.now());
      for (const check of [...this.progress]) check();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.joinedAt = null;
      if (!payload.restart) this.stopped = payload.error;
    });
    consumer.on(consumer.events.REBALANCING, () => (this.joinedAt = null));
    await retryKafkaStartUp(() => consumer.connect(), retry);
    await consumer.subscribe({ topic: this.topic });
    await consumer.run({ autoCommit: false, eachBatch: async ({ batch }) => this.read(batch) });
  }

  private read(batch: Batch): void {
    for (const message of batch.messages) {
      const header = message.headers?.[REDELIVERY_KEY_HEADER];
      const value = Array.isArray(header) ? header[0] : header;
      if (value === undefined) continue;
      const key = value.toString();
      this.written.remember(key, Number(message.timestamp));
      for (const listener of this.listeners) listener(key);
    }
  }

  /**
   * Waits until reading has passed the end offsets the log has now (the high watermarks), or a
   * partition's reading has not moved for STALLED_MS: a read-committed reader stops at the
   * last stable offset, before the records of a transaction still open (a raw-topic batch; a
   * crashed process's until the broker aborts it), which no reader may take as written yet.
   * Only a consumer in its group stands still that way: one joining has read nothing yet.
   */
  private async reachEnds(): Promise<void> {
    const ends = await this.admin.fetchTopicOffsets(this.topic);
    const since = Date.now();
    const reached = (): boolean =>
      ends.every(({ partition, high, low }) => {
        const at = this.positions.get(partition) ?? 0n;
        if (BigInt(high) <= BigInt(low) || at >= BigInt(high)) return true;
        if (this.joinedAt === null) return false;
        const movedAt = Math.max(since, this.joinedAt, this.movedAt.get(partition) ?? 0);
        return Date.now() - movedAt >= STALLED_MS;
      });
    if (reached()) return;
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (!reached()) return;
        clearInterval(poll);
        this.progress.delete(check);
        resolve();
      };
      const poll = setInterval(check, STALLED_MS / 4);
      this.progress.add(check);
    });
  }
}
