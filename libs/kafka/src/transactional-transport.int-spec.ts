import { Controller, Module, UseFilters } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import pino from 'pino';
import { bufferCount, concatMap, defer, from, map, type Observable } from 'rxjs';
import { readCommittedMessages, uniqueName } from '@soc/testing';
import { ensureTopics } from './topics';
import type { PartitionBatch, PartitionTransaction } from './transactional-pipeline';
import {
  PartitionContext,
  RethrowToTransport,
  TransactionalKafkaTransport,
} from './transactional-transport';

const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');

describe('TransactionalKafkaTransport on a real broker', () => {
  const kafka = new Kafka({ brokers, clientId: 'transport-spec', logLevel: logLevel.NOTHING });
  const logger = pino({ level: 'silent' });

  it('commits several transactions per fetched batch through an @EventPattern handler, and restarts a partition stream after a failed one without duplicates or gaps', async () => {
    const input = uniqueName('transport-in');
    const output = uniqueName('transport-out');
    const groupId = uniqueName('transport-group');
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [
      { topic: input, numPartitions: 2 },
      { topic: output, numPartitions: 2 },
    ]);
    const producer = kafka.producer();
    await producer.connect();
    const total = 400;
    await producer.send({
      topic: input,
      messages: Array.from({ length: total }, (_, i) => ({ key: `k${i % 7}`, value: String(i) })),
    });
    await producer.disconnect();

    let failuresLeft = 2;
    const streamsStarted: number[] = [];

    @Controller()
    @UseFilters(new RethrowToTransport())
    class SplittingController {
      /** Seven records a transaction; twice, a transaction that cannot commit. */
      @EventPattern(input)
      handle(
        @Payload() batches: Observable<PartitionBatch>,
        @Ctx() context: PartitionContext,
      ): Observable<PartitionTransaction> {
        return defer(() => {
          streamsStarted.push(context.partition);
          return batches.pipe(
            // Cut within each batch: its last transaction must end at its last record.
            concatMap((batch) => from(batch.messages).pipe(bufferCount(7))),
            map((messages) => {
              const produced = [
                {
                  topic: output,
                  messages: messages.map((m) => ({ key: m.key, value: `out-${m.value}` })),
                },
              ];
              if (failuresLeft > 0 && messages.length > 1) {
                failuresLeft -= 1;
                // A topic that does not exist fails the transaction after part of it was sent.
                produced.push({
                  topic: uniqueName('missing'),
                  messages: [{ key: null, value: 'x' }],
                });
              }
              return {
                produced,
                lastOffset: (messages[messages.length - 1] as KafkaMessage).offset,
              };
            }),
          );
        });
      }
    }
    @Module({ controllers: [SplittingController] })
    class SplittingModule {}

    const transport = new TransactionalKafkaTransport({
      kafka,
      logger,
      groupId,
      topics: [input],
      transactionalIdPrefix: uniqueName('transport-tx'),
      consumer: { retry: { retries: 20, initialRetryTime: 50 } },
    });
    const app = await NestFactory.createMicroservice(SplittingModule, {
      strategy: transport,
      logger: false,
    });
    await app.listen();
    try {
      const records = await readCommittedMessages(kafka, { topic: output, expected: total });
      const values = records.map((r) => r.value?.toString());
      expect(new Set(values).size).toBe(total);
      expect(values.length).toBe(total);
      expect(failuresLeft).toBe(0);
      // Each partition's stream started once, and again after each failed transaction.
      expect(streamsStarted.length).toBeGreaterThan(2);
      expect(() => transport.assertRunning()).not.toThrow();
    } finally {
      await app.close();
      await admin.disconnect();
    }
  });
});
