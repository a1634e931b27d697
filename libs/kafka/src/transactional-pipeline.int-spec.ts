import { Kafka, logLevel, type ProducerConfig } from 'kafkajs';
import pino from 'pino';
import {
  readCommittedMessages,
  readTopicToEnd,
  uniqueName,
  waitForGroupCaughtUp,
} from '@soc/testing';
import { ensureTopics } from './topics';
import { TransactionalPipeline } from './transactional-pipeline';

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');

describe('TransactionalPipeline on a real broker', () => {
  const kafka = new Kafka({ brokers, clientId: 'pipeline-spec', logLevel: logLevel.NOTHING });
  const logger = pino({ level: 'silent' });

  it('re-processes a batch whose transaction failed without exposing duplicates or gaps', async () => {
    const input = uniqueName('pipeline-in');
    const output = uniqueName('pipeline-out');
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [
      { topic: input, numPartitions: 2 },
      { topic: output, numPartitions: 2 },
    ]);
    await admin.disconnect();

    const producer = kafka.producer();
    await producer.connect();
    const total = 400;
    await producer.send({
      topic: input,
      messages: Array.from({ length: total }, (_, i) => ({ key: `k${i % 7}`, value: String(i) })),
    });
    await producer.disconnect();

    let failuresLeft = 2;
    let recoveries = 0;
    const pipeline = new TransactionalPipeline({
      kafka,
      logger,
      groupId: uniqueName('pipeline-group'),
      topics: [input],
      transactionalIdPrefix: uniqueName('pipeline-tx'),
      consumer: { maxBytesPerPartition: 1024, retry: { retries: 20, initialRetryTime: 50 } },
      onPartitionAssigned: async () => {
        recoveries += 1;
      },
      process: (batch) => {
        const out = [
          {
            topic: output,
            messages: batch.messages.map((m) => ({
              key: m.key,
              value: `out-${m.value?.toString()}`,
            })),
          },
        ];
        if (failuresLeft > 0 && batch.messages.length > 1) {
          failuresLeft -= 1;
          // Sending to a topic that does not exist fails the transaction after part of it was sent.
          out.push({ topic: uniqueName('missing-topic'), messages: [{ key: null, value: 'x' }] });
        }
        return out;
      },
    });
    await pipeline.start();
    try {
      const records = await readCommittedMessages(kafka, { topic: output, expected: total });
      const values = records.map((r) => r.value?.toString());
      expect(new Set(values).size).toBe(total);
      expect(values.length).toBe(total);
      expect(failuresLeft).toBe(0);
      expect(recoveries).toBeGreaterThan(2);
    } finally {
      await pipeline.stop();
    }
  });

  it('skips what a stale owner committed after the new owner read the offsets and before it fenced the stale one', async () => {
    const input = uniqueName('pipeline-in');
    const output = uniqueName('pipeline-out');
    const groupId = uniqueName('pipeline-group');
    const transactionalIdPrefix = uniqueName('pipeline-tx');
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [
      { topic: input, numPartitions: 1 },
      { topic: output, numPartitions: 1 },
    ]);
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic: input,
      messages: Array.from({ length: 20 }, (_, i) => ({ key: 'k', value: String(i) })),
    });
    await producer.disconnect();

    // The stale owner: the same transactional id, committing outputs and offsets for the first
    // ten records. It runs when the new owner connects its producer, which is after kafkajs
    // fetched the group's offsets (none yet) and the first batch from offset 0.
    const staleOwnerCommits = async (): Promise<void> => {
      const stale = kafka.producer({
        transactionalId: `${transactionalIdPrefix}-${input}-0`,
        idempotent: true,
        maxInFlightRequests: 1,
      });
      await stale.connect();
      const transaction = await stale.transaction();
      await transaction.send({
        topic: output,
        messages: Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: `stale-${i}` })),
      });
      await transaction.sendOffsets({
        consumerGroupId: groupId,
        topics: [{ topic: input, partitions: [{ partition: 0, offset: '10' }] }],
      });
      await transaction.commit();
      await stale.disconnect();
    };
    let raced = false;
    const racing = Object.create(kafka) as Kafka;
    racing.producer = (config?: ProducerConfig) => {
      const real = kafka.producer(config);
      const connect = real.connect.bind(real);
      real.connect = async () => {
        if (!raced) {
          raced = true;
          await staleOwnerCommits();
        }
        await connect();
      };
      return real;
    };

    const pipeline = new TransactionalPipeline({
      kafka: racing,
      logger,
      groupId,
      topics: [input],
      transactionalIdPrefix,
      process: (batch) => [
        {
          topic: output,
          messages: batch.messages.map((m) => ({
            key: m.key,
            value: `out-${m.value?.toString()}`,
          })),
        },
      ],
    });
    await pipeline.start();
    try {
      await waitForGroupCaughtUp(kafka, groupId, input, 60_000);
    } finally {
      await pipeline.stop();
    }
    expect(raced).toBe(true);
    const values = (await readTopicToEnd(kafka, output)).map((r) => r.value?.toString());
    expect(values).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `stale-${i}`),
      ...Array.from({ length: 10 }, (_, i) => `out-${i + 10}`),
    ]);
  });
});
