// Kafka transactions with kafkajs on the real broker: output records and consumed offsets commit
// or abort together, and read-committed consumers see only committed transactions.
import { Kafka, KafkaMessage, Partitioners } from 'kafkajs';
import { createTopic, testKafka, uniqueName, waitFor } from '@soc/testing';

const END_MARKER = 'end-marker';

/** Reads `topic` from the start until the end marker arrives; returns the values before it. */
async function readUntilMarker(
  kafka: Kafka,
  topic: string,
  readUncommitted: boolean,
): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('txn-reader'), readUncommitted });
  const seen: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message) });
    await waitFor(() => seen.some((message) => message.value?.toString() === END_MARKER), {
      timeoutMs: 60_000,
      describe: `the end marker on ${topic} (readUncommitted=${readUncommitted})`,
    });
  } finally {
    await consumer.disconnect();
  }
  const values = seen.map((message) => message.value?.toString() ?? '');
  return values.slice(0, values.indexOf(END_MARKER));
}

describe('transactional produce with sendOffsets', () => {
  it('hides an aborted transaction from read-committed consumers and shows a committed one', async () => {
    const kafka = testKafka();
    const input = await createTopic(uniqueName('txn-in'), 1);
    const output = await createTopic(uniqueName('txn-out'), 1);
    const consumerGroupId = uniqueName('txn-group');

    const plain = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await plain.connect();
    await plain.send({ topic: input, messages: [{ value: 'in-0' }, { value: 'in-1' }] });
    await plain.disconnect();

    const producer = kafka.producer({
      transactionalId: uniqueName('txn-producer'),
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    const admin = kafka.admin();
    await Promise.all([producer.connect(), admin.connect()]);
    const committedOffset = async () =>
      (await admin.fetchOffsets({ groupId: consumerGroupId, topics: [input] }))[0]?.partitions[0]
        ?.offset;
    try {
      const aborted = await producer.transaction();
      await aborted.send({ topic: output, messages: [{ value: 'aborted' }] });
      await aborted.sendOffsets({
        consumerGroupId,
        topics: [{ topic: input, partitions: [{ partition: 0, offset: '1' }] }],
      });
      await aborted.abort();
      expect(await committedOffset()).toBe('-1');

      const committed = await producer.transaction();
      await committed.send({
        topic: output,
        messages: [{ value: 'committed' }, { value: END_MARKER }],
      });
      await committed.sendOffsets({
        consumerGroupId,
        topics: [{ topic: input, partitions: [{ partition: 0, offset: '2' }] }],
      });
      await committed.commit();

      expect(await readUntilMarker(kafka, output, false)).toEqual(['committed']);
      // The aborted record did reach the log: a read-uncommitted consumer sees it.
      expect(await readUntilMarker(kafka, output, true)).toEqual(['aborted', 'committed']);
      await waitFor(async () => (await committedOffset()) === '2', {
        timeoutMs: 30_000,
        describe: `offset 2 committed for ${consumerGroupId}`,
      });
    } finally {
      await Promise.all([producer.disconnect(), admin.disconnect()]);
    }
  });
});
