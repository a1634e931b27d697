import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { UndecodableRecordError, retryKafkaStartUp } from '@soc/kafka';
import type { Logger } from '@soc/observability';
import {
  ReadModelStore,
  SHADOW_SCHEMA,
  createShadowSchema,
  dropShadowSchema,
  snapshotReadModel,
  swapInShadowSchema,
  READ_MODEL_SCHEMA,
  type DataSource,
} from '@soc/persistence';
import type { EventFamily } from './event-guard';
import { ProjectionEngine, type ConsumedRecord } from './projection-engine';
import type { EventDecoders } from './event-decoders';

export interface RebuildOptions {
  readonly dataSource: DataSource;
  readonly kafka: Kafka;
  readonly decoder: EventDecoders;
  readonly logger: Logger;
  readonly incidentsTopic: string;
  readonly feedbackTopic: string;
  /** Swap the rebuilt tables in; otherwise the shadow schema is left for inspection. */
  readonly swap: boolean;
  /** Compare the shadow with the live tables before swapping and report the differences. */
  readonly compare: boolean;
  readonly timeoutMs: number;
  readonly shadowSchema?: string;
}

export interface RebuildReport {
  readonly shadowSchema: string;
  readonly records: number;
  readonly events: number;
  readonly poison: number;
  readonly batches: number;
  readonly durationMs: number;
  readonly eventsPerSecond: number;
  /** Per table, rows that differ between shadow and live (when compared). */
  readonly differences: Record<string, number> | null;
  readonly swapped: boolean;
}

const tpKey = (topic: string, partition: number): string => `${topic}:${partition}`;

/**
 * Replays both topics from their first offset into a fresh shadow schema with the same engine
 * the live projector uses, up to the end offsets they had when the rebuild started, then swaps
 * the shadow in atomically. A live projector keeps running throughout: after the swap it finds
 * checkpoints it did not write and seeks back to them.
 */
export async function rebuildReadModel(options: RebuildOptions): Promise<RebuildReport> {
  const started = Date.now();
  const shadowSchema = options.shadowSchema ?? SHADOW_SCHEMA;
  const { dataSource, kafka, decoder, logger } = options;
  await createShadowSchema(dataSource, shadowSchema);
  const engine = new ProjectionEngine(dataSource, new ReadModelStore(shadowSchema), {
    notify: false,
  });

  const topics = [options.incidentsTopic, options.feedbackTopic];
  const ends = await endOffsets(kafka, topics);
  const pending = new Set([...ends].filter(([, end]) => end.high > end.low).map(([key]) => key));
  logger.info(
    { shadowSchema, partitions: ends.size, pending: pending.size },
    'rebuild: replaying from offset 0',
  );

  let records = 0;
  let events = 0;
  let poison = 0;
  let batches = 0;
  if (pending.size > 0) {
    // Starting from the beginning: anything below a partition's first offset is gone to
    // retention, so position 0 is where this consumer stands for every partition.
    const positions = new Map<string, bigint>([...ends.keys()].map((key) => [key, 0n]));
    const consumer = kafka.consumer({
      groupId: `soc-projector-rebuild-${randomUUID()}`,
      readUncommitted: false,
      maxWaitTimeInMs: 100,
      maxBytesPerPartition: 8 * 1024 * 1024,
    });
    await consumer.connect();
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `rebuild did not reach the end offsets within ${options.timeoutMs} ms: ${[...pending].join(', ')}`,
              ),
            ),
          options.timeoutMs,
        );
        const progressed = (topic: string, partition: number, next: bigint): void => {
          const key = tpKey(topic, partition);
          const end = ends.get(key);
          if (end && next >= end.high) pending.delete(key);
          if (pending.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        };
        // Batches of only transaction markers never reach eachBatch; they still end a partition.
        consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
          progressed(payload.topic, payload.partition, BigInt(payload.lastOffset) + 1n);
        });
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          clearTimeout(timer);
          reject(payload.error);
        });
        consumer
          .subscribe({ topics, fromBeginning: true })
          .then(() =>
            consumer.run({
              autoCommit: false,
              eachBatchAutoResolve: false,
              partitionsConsumedConcurrently: 2,
              eachBatch: async ({ batch, resolveOffset, isRunning, isStale }) => {
                if (!isRunning() || isStale() || batch.messages.length === 0) return;
                const family: EventFamily =
                  batch.topic === options.feedbackTopic ? 'feedback' : 'incident';
                const decoded: ConsumedRecord[] = [];
                for (const message of batch.messages) {
                  decoded.push(
                    await decodeForRebuild(decoder, message, family, () => (poison += 1)),
                  );
                }
                const key = tpKey(batch.topic, batch.partition);
                const outcome = await engine.applyBatch({
                  topic: batch.topic,
                  partition: batch.partition,
                  records: decoded,
                  firstOffset: BigInt(
                    batch.firstOffset() ?? (batch.messages[0] as KafkaMessage).offset,
                  ),
                  endOffset: BigInt(batch.lastOffset()) + 1n,
                  expectedNext: positions.get(key),
                });
                if (outcome.kind === 'reseek') {
                  positions.set(key, outcome.checkpoint);
                  consumer.seek({
                    topic: batch.topic,
                    partition: batch.partition,
                    offset: outcome.checkpoint.toString(),
                  });
                  return;
                }
                positions.set(key, outcome.nextOffset);
                resolveOffset((batch.messages[batch.messages.length - 1] as KafkaMessage).offset);
                records += batch.messages.length;
                events += outcome.applied.length;
                batches += 1;
              },
            }),
          )
          .catch((error: unknown) => {
            clearTimeout(timer);
            reject(error instanceof Error ? error : new Error(String(error)));
          });
      });
    } finally {
      await consumer.disconnect();
    }
  }

  const differences = options.compare ? await compareWithLive(dataSource, shadowSchema) : null;
  if (options.swap) await swapInShadowSchema(dataSource, shadowSchema);
  const durationMs = Date.now() - started;
  const report: RebuildReport = {
    shadowSchema,
    records,
    events,
    poison,
    batches,
    durationMs,
    eventsPerSecond: durationMs > 0 ? Math.round((events * 1000) / durationMs) : events,
    differences,
    swapped: options.swap,
  };
  logger.info(report, 'rebuild finished');
  return report;
}

export async function discardShadow(
  dataSource: DataSource,
  shadowSchema: string = SHADOW_SCHEMA,
): Promise<void> {
  await dropShadowSchema(dataSource, shadowSchema);
}

async function decodeForRebuild(
  decoder: EventDecoders,
  message: KafkaMessage,
  family: EventFamily,
  onPoison: () => void,
): Promise<ConsumedRecord> {
  const offset = BigInt(message.offset);
  const timestamp = Number(message.timestamp);
  try {
    return { offset, timestamp, event: await decoder[family].decode(message.value) };
  } catch (error) {
    // The live projector dead-lettered this record already; the rebuild only skips it.
    if (!(error instanceof UndecodableRecordError)) throw error;
    onPoison();
    return { offset, timestamp, event: null };
  }
}

async function endOffsets(
  kafka: Kafka,
  topics: readonly string[],
): Promise<Map<string, { low: bigint; high: bigint }>> {
  const admin = kafka.admin();
  await retryKafkaStartUp(() => admin.connect(), { describe: 'admin' });
  try {
    const ends = new Map<string, { low: bigint; high: bigint }>();
    for (const topic of topics) {
      const offsets = await retryKafkaStartUp(() => admin.fetchTopicOffsets(topic), {
        describe: `end offsets of ${topic}`,
      });
      for (const o of offsets) {
        ends.set(tpKey(topic, o.partition), { low: BigInt(o.low), high: BigInt(o.high) });
      }
    }
    return ends;
  } finally {
    await admin.disconnect();
  }
}

/** Rows present in one schema and not the other, per table (0 everywhere means equal). */
async function compareWithLive(
  dataSource: DataSource,
  shadowSchema: string,
): Promise<Record<string, number>> {
  const [live, shadow] = await Promise.all([
    snapshotReadModel(dataSource, READ_MODEL_SCHEMA),
    snapshotReadModel(dataSource, shadowSchema),
  ]);
  const differences: Record<string, number> = {};
  for (const [table, liveRows] of Object.entries(live)) {
    const shadowRows = new Set(shadow[table] ?? []);
    const liveSet = new Set(liveRows);
    differences[table] =
      liveRows.filter((row) => !shadowRows.has(row)).length +
      [...shadowRows].filter((row) => !liveSet.has(row)).length;
  }
  return differences;
}
