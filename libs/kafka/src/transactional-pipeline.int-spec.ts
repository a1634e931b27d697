import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import { readCommittedMessages, uniqueName } from '@soc/testing';
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
});
