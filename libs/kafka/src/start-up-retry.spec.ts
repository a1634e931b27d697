import {
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
} from 'kafkajs';
import { isRetriableKafkaError, retryKafkaStartUp } from './start-up-retry';

// The broker's own error descriptions, as kafkajs's protocol layer builds them.
const protocolError = (description: {
  type: string;
  code: number;
  retriable: boolean;
  message: string;
}): KafkaJSProtocolError =>
  new KafkaJSProtocolError(Object.assign(new Error(description.message), description));
const notLeader = protocolError({
  type: 'NOT_LEADER_FOR_PARTITION',
  code: 6,
  retriable: true,
  message: 'This server is not the leader for that topic-partition',
});
const invalidPartitions = protocolError({
  type: 'INVALID_PARTITIONS',
  code: 37,
  retriable: false,
  message: 'Number of partitions is invalid',
});

/** A call that fails with the given errors in turn, then answers 'done'. */
function failing(errors: readonly Error[]): { call: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    call: async () => {
      const error = errors[calls];
      calls += 1;
      if (error) throw error;
      return 'done';
    },
    calls: () => calls,
  };
}

describe('isRetriableKafkaError', () => {
  it('retries what kafkajs marks retriable: leader elections, lost connections', () => {
    expect(isRetriableKafkaError(notLeader)).toBe(true);
    expect(isRetriableKafkaError(new KafkaJSConnectionError('Connection timeout'))).toBe(true);
  });

  it('retries a retriable error that kafkajs gave up on after its own retries', () => {
    const exhausted = new KafkaJSNumberOfRetriesExceeded(notLeader, {
      retryCount: 8,
      retryTime: 3000,
    });
    expect(exhausted.retriable).toBe(false);
    expect(isRetriableKafkaError(exhausted)).toBe(true);
  });

  it('does not retry non-retriable protocol errors, plain errors or non-errors', () => {
    expect(isRetriableKafkaError(invalidPartitions)).toBe(false);
    expect(isRetriableKafkaError(new KafkaJSNonRetriableError('Invalid topic'))).toBe(false);
    expect(
      isRetriableKafkaError(
        new KafkaJSNumberOfRetriesExceeded(invalidPartitions, { retryCount: 1, retryTime: 1 }),
      ),
    ).toBe(false);
    expect(isRetriableKafkaError(new Error('topic has 3 partitions, expected 6'))).toBe(false);
    expect(isRetriableKafkaError('NOT_LEADER_FOR_PARTITION')).toBe(false);
    expect(isRetriableKafkaError(null)).toBe(false);
  });
});

describe('retryKafkaStartUp', () => {
  it('retries retriable errors with doubling delays, capped, until the call succeeds', async () => {
    const delays: number[] = [];
    const warnings: object[] = [];
    const call = failing([notLeader, notLeader, notLeader, notLeader]);
    const result = await retryKafkaStartUp(call.call, {
      describe: 'fetchTopicOffsets',
      initialDelayMs: 100,
      maxDelayMs: 300,
      sleep: async (ms) => {
        delays.push(ms);
      },
      logger: { warn: (fields) => warnings.push(fields) },
    });
    expect(result).toBe('done');
    expect(call.calls()).toBe(5);
    expect(delays).toEqual([100, 200, 300, 300]);
    expect(warnings[0]).toMatchObject({ call: 'fetchTopicOffsets', attempt: 1, retryInMs: 100 });
  });

  it('throws a non-retriable error at once', async () => {
    const call = failing([invalidPartitions]);
    await expect(
      retryKafkaStartUp(call.call, { describe: 'createTopics', sleep: async () => {} }),
    ).rejects.toBe(invalidPartitions);
    expect(call.calls()).toBe(1);
  });

  it('throws the last retriable error once the attempts are used up', async () => {
    const call = failing([notLeader, notLeader, notLeader]);
    await expect(
      retryKafkaStartUp(call.call, { describe: 'connect', attempts: 3, sleep: async () => {} }),
    ).rejects.toBe(notLeader);
    expect(call.calls()).toBe(3);
  });
});
