import { createTopic, testKafka, uniqueName } from '@soc/testing';

describe('topic creation', () => {
  it('creates a topic with exactly the partitions asked for', async () => {
    const topic = await createTopic(uniqueName('partitions-plumbing'), 6);
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = topics.find((entry) => entry.name === topic)?.partitions ?? [];
      expect(partitions.map((partition) => partition.partitionId).sort((a, b) => a - b)).toEqual([
        0, 1, 2, 3, 4, 5,
      ]);
      expect(partitions.every((partition) => partition.leader >= 0)).toBe(true);
    } finally {
      await admin.disconnect();
    }
  });

  it('refuses to create a topic implicitly by producing to it', async () => {
    const producer = testKafka().producer({ allowAutoTopicCreation: true, retry: { retries: 1 } });
    await producer.connect();
    try {
      await expect(
        producer.send({
          topic: uniqueName('never-created'),
          messages: [{ value: 'x' }],
          timeout: 2_000,
        }),
      ).rejects.toThrow();
    } finally {
      await producer.disconnect();
    }
  });
});
