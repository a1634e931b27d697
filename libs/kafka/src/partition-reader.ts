import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { retryKafkaStartUp } from './start-up-retry';

/**
 * Reads one partition from its first offset to the end it had when the call started (read
 * committed), for state recovery. kafkajs has no manual assignment, so a throwaway consumer
 * group that never commits offsets subscribes and pauses every other partition. The end is
 * detected from batch offsets, which count the transaction markers no message carries.
 */
export async function readPartitionToEnd(
  kafka: Kafka,
  topic: string,
  partition: number,
  onMessages: (messages: readonly KafkaMessage[]) => Promise<void> | void,
): Promise<void> {
  const admin = kafka.admin();
  const retry = { describe: `recovery of ${topic} partition ${partition}` };
  await retryKafkaStartUp(() => admin.connect(), retry);
  let endOffset: bigint;
  let otherPartitions: number[];
  try {
    const offsets = await retryKafkaStartUp(() => admin.fetchTopicOffsets(topic), retry);
    const own = offsets.find((o) => o.partition === partition);
    if (!own) throw new Error(`topic ${topic} has no partition ${partition}`);
    if (BigInt(own.high) <= BigInt(own.low)) return;
    endOffset = BigInt(own.high);
    otherPartitions = offsets.map((o) => o.partition).filter((p) => p !== partition);
  } finally {
    await admin.disconnect();
  }

  const consumer = kafka.consumer({
    groupId: `soc-state-rebuild-${randomUUID()}`,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
    maxBytesPerPartition: 4 * 1024 * 1024,
  });
  await retryKafkaStartUp(() => consumer.connect(), retry);
  try {
    await new Promise<void>((resolve, reject) => {
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        if (payload.topic === topic && payload.partition === partition) {
          if (BigInt(payload.lastOffset) + 1n >= endOffset) resolve();
        }
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => reject(payload.error));
      consumer
        .subscribe({ topic, fromBeginning: true })
        .then(() =>
          consumer.run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              if (batch.partition === partition && batch.messages.length > 0) {
                await onMessages(batch.messages);
              }
            },
          }),
        )
        .then(() => {
          if (otherPartitions.length > 0) consumer.pause([{ topic, partitions: otherPartitions }]);
          consumer.seek({ topic, partition, offset: '0' });
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}
