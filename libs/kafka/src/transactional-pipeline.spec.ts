import type { KafkaMessage } from 'kafkajs';
import { chunkTopicMessages, messagesFrom } from './transactional-pipeline';

describe('messagesFrom', () => {
  const batch = ['7', '8', '9'].map(
    (offset) => ({ offset, key: null, value: null }) as unknown as KafkaMessage,
  );

  it('keeps every record when no offset was committed', () => {
    expect(messagesFrom(batch, undefined)).toEqual(batch);
  });

  it('drops the records a previous owner committed after the batch was fetched', () => {
    expect(messagesFrom(batch, 9n).map((m) => m.offset)).toEqual(['9']);
    expect(messagesFrom(batch, 10n)).toEqual([]);
  });

  it('keeps the whole batch when the committed offset is at its first record', () => {
    expect(messagesFrom(batch, 7n)).toEqual(batch);
  });
});

describe('chunkTopicMessages', () => {
  const message = (n: number, bytes: number) => ({ key: `k${n}`, value: Buffer.alloc(bytes, n) });

  it('keeps small output in one request', () => {
    const topicMessages = [{ topic: 'a', messages: [message(1, 10), message(2, 10)] }];
    expect(chunkTopicMessages(topicMessages)).toEqual([topicMessages]);
  });

  it('splits output over the byte bound into requests, in order, per topic', () => {
    const a = Array.from({ length: 10 }, (_, i) => message(i, 400));
    const b = Array.from({ length: 3 }, (_, i) => message(100 + i, 400));
    const chunks = chunkTopicMessages(
      [
        { topic: 'a', messages: a },
        { topic: 'b', messages: b },
      ],
      1_500,
    );
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      const bytes = chunk
        .flatMap((t) => t.messages)
        .reduce((n, m) => n + (m.value as Buffer).length, 0);
      expect(bytes).toBeLessThanOrEqual(1_500);
    }
    const flat = (topic: string) =>
      chunks.flatMap((chunk) => chunk.filter((t) => t.topic === topic).flatMap((t) => t.messages));
    expect(flat('a')).toEqual(a);
    expect(flat('b')).toEqual(b);
  });

  it('sends a message larger than the bound alone', () => {
    const chunks = chunkTopicMessages(
      [{ topic: 'a', messages: [message(1, 10), message(2, 5_000), message(3, 10)] }],
      1_000,
    );
    expect(chunks.map((chunk) => chunk[0]?.messages.length)).toEqual([1, 1, 1]);
  });
});
