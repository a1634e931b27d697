import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import pino from 'pino';
import { waitFor } from '@soc/testing';
import { ensureTopics } from './topics';
import { TransactionalPipeline } from './transactional-pipeline';

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');
const unique = (prefix: string) =>
  `${prefix}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;

describe('TransactionalPipeline on a real broker', () => {
  const kafka = new Kafka({ brokers, clientId: 'pipeline-spec', logLevel: logLevel.NOTHING });
  const logger = pino({ level: 'silent' });

  async function readCommitted(topic: string, expected: number): Promise<KafkaMessage[]> {
    const consumer = kafka.consumer({ groupId: unique('reader'), readUncommitted: false });
    const seen: KafkaMessage[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message) });
    try {
      await waitFor(() => seen.length >= expected, {
        timeoutMs: 60_000,
        describe: `${expected} records on ${topic}`,
      });
      return seen;
    } finally {
      await consumer.disconnect();
    }
  }

  it('re-processes a batch whose transaction failed without exposing duplicates or gaps', async () => {
    const input = unique('pipeline-in');
    const output = unique('pipeline-out');
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
      groupId: unique('pipeline-group'),
      topics: [input],
      transactionalIdPrefix: unique('pipeline-tx'),
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
          out.push({ topic: unique('missing-topic'), messages: [{ key: null, value: 'x' }] });
        }
        return out;
      },
    });
    await pipeline.start();
    try {
      const records = await readCommitted(output, total);
      const values = records.map((r) => r.value?.toString());
      expect(new Set(values).size).toBe(total);
      expect(values.length).toBe(total);
      expect(failuresLeft).toBe(0);
      expect(recoveries).toBeGreaterThan(2);
    } finally {
      await pipeline.stop();
    }
  });
});
