import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import type { TenantConfigEvent } from '@soc/contracts';
import {
  ensureTopics,
  retryKafkaStartUp,
  UndecodableRecordError,
  type AvroDecoder,
} from '@soc/kafka';
import type { TenantConnectorSettings } from './effective-connectors';

export interface TenantConfigFollowerOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  /** Partitions of the topic, when the follower creates it (as the correlator and the API do). */
  readonly numPartitions: number;
  readonly decoder: AvroDecoder<TenantConfigEvent>;
  readonly groupPrefix: string;
  readonly logger: Logger;
  /** Every tenant's latest connector settings: once caught up, then after every newer version. */
  readonly onSettings: (settings: readonly TenantConnectorSettings[]) => void;
}

/**
 * Follows soc.tenant-config.v1 from its start, in a consumer group of its own that commits
 * nothing (every instance reads every partition, from the start, at every start), keeping each
 * tenant's latest version: a version is taken once, never an older one, so a duplicate or a
 * reordered record changes nothing. `start` resolves once the records present at start are
 * read, so the first settings handed on are the configuration in force, not an old version of
 * it. A record that cannot be decoded is logged and skipped.
 */
export class TenantConfigFollower {
  private readonly latest = new Map<string, TenantConnectorSettings>();
  private consumer: Consumer | undefined;
  private caughtUp = false;
  private crash: Error | undefined;

  constructor(private readonly options: TenantConfigFollowerOptions) {}

  async start(): Promise<void> {
    const { kafka, topic, numPartitions, logger } = this.options;
    const admin = kafka.admin();
    const retry = { logger, describe: `reading ${topic}` };
    await retryKafkaStartUp(() => admin.connect(), retry);
    let ends: Map<number, bigint>;
    try {
      await retryKafkaStartUp(() => ensureTopics(admin, [{ topic, numPartitions }]), retry);
      const offsets = await admin.fetchTopicOffsets(topic);
      ends = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
      for (const { partition, low, high } of offsets)
        if (BigInt(high) <= BigInt(low)) ends.delete(partition);
    } finally {
      await admin.disconnect();
    }
    await new Promise<void>((resolve, reject) => {
      const reached = (partition: number, next: bigint): void => {
        const end = ends.get(partition);
        if (end !== undefined && next >= end) ends.delete(partition);
        if (ends.size > 0 || this.caughtUp) return;
        this.caughtUp = true;
        this.options.onSettings([...this.latest.values()]);
        resolve();
      };
      this.consume(reached).catch(reject);
      // An empty topic: nothing to wait for.
      reached(-1, 0n);
    });
  }

  /** Why the follower no longer follows (its consumer crashed for good); undefined while it does. */
  get failure(): Error | undefined {
    return this.crash;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }

  private async consume(reached: (partition: number, next: bigint) => void): Promise<void> {
    const { kafka, topic, groupPrefix } = this.options;
    const consumer = kafka.consumer({
      groupId: `${groupPrefix}-tenant-config-${randomUUID()}`,
      maxWaitTimeInMs: 500,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) this.crash = payload.error;
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        let changed = false;
        for (const message of batch.messages) changed = (await this.take(message.value)) || changed;
        if (changed && this.caughtUp) this.options.onSettings([...this.latest.values()]);
        if (batch.messages.length > 0) reached(batch.partition, BigInt(batch.lastOffset()) + 1n);
      },
    });
  }

  /** Keeps the event's settings when its version is the tenant's newest; true when it was. */
  private async take(value: Buffer | null): Promise<boolean> {
    let event: TenantConfigEvent;
    try {
      event = await this.options.decoder.decode(value);
    } catch (error) {
      if (!(error instanceof UndecodableRecordError)) throw error;
      this.options.logger.error(
        { topic: this.options.topic, reason: error.message },
        'undecodable tenant configuration record skipped',
      );
      return false;
    }
    const { tenantId, data } = event;
    if ((this.latest.get(tenantId)?.version ?? 0) >= data.version) return false;
    this.latest.set(tenantId, {
      tenantId,
      version: data.version,
      connectors: data.config.connectors,
    });
    return true;
  }
}
