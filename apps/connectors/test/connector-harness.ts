// Test support: real Kafka topics of a spec's own, a runner for one source, and what a
// read-committed (or read-uncommitted) consumer finds on the raw topic.
import { randomUUID } from 'node:crypto';
import type { Kafka, KafkaMessage, Transaction } from 'kafkajs';
import pino, { type Logger } from 'pino';
import { Registry } from 'prom-client';
import { createTopic, readCommittedToEnd, uniqueName, waitFor } from '@soc/testing';
import { ConnectorMetrics } from '../src/connector-metrics';
import { ConnectorRunner } from '../src/connector-runner';
import type { PullSource } from '../src/pull-source';

export interface SpecTopics {
  readonly raw: string;
  readonly checkpoints: string;
  readonly transactionalIdPrefix: string;
}

export async function specTopics(kafka: Kafka, name: string): Promise<SpecTopics> {
  const raw = await createTopic(uniqueName(`${name}-raw`), 3, { kafka });
  const checkpoints = await createTopic(uniqueName(`${name}-checkpoints`), 1, {
    kafka,
    configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
  });
  return { raw, checkpoints, transactionalIdPrefix: uniqueName(name) };
}

export function specRunner<C>(
  kafka: Kafka,
  topics: SpecTopics,
  source: PullSource<C>,
  {
    connectorId = 'conn-1',
    intervalMs = 200,
    metrics = new ConnectorMetrics(new Registry()),
    logger = pino({ level: 'silent' }) as Logger,
  } = {},
): ConnectorRunner<C> {
  return new ConnectorRunner({
    kafka,
    connector: { id: connectorId, tenantId: 'tenant-a', type: source.format },
    source,
    rawTopic: topics.raw,
    checkpointTopic: topics.checkpoints,
    transactionalIdPrefix: topics.transactionalIdPrefix,
    intervalMs,
    backoff: { initialMs: 100, maxMs: 5_000 },
    logger,
    metrics,
  });
}

/**
 * A Kafka client whose producers die at their `commitNumber`th transaction commit, after the
 * transaction has sent its records and checkpoint: the commit fails and the abort is never
 * sent, so the transaction stays open on the broker, as a process killed at that moment leaves
 * it. The spec then stops that runner and starts another, as a restart would.
 */
export function kafkaCrashingAtCommit(
  kafka: Kafka,
  commitNumber: number,
): Kafka & { crashed: Promise<void> } {
  let commits = 0;
  let markCrashed: () => void = () => undefined;
  const crashing = Object.create(kafka) as Kafka & { crashed: Promise<void> };
  crashing.crashed = new Promise<void>((resolve) => (markCrashed = resolve));
  crashing.producer = (...args) => {
    const producer = kafka.producer(...args);
    const begin = producer.transaction.bind(producer);
    producer.transaction = async (): Promise<Transaction> => {
      const transaction = await begin();
      const commit = transaction.commit.bind(transaction);
      transaction.commit = async () => {
        commits += 1;
        if (commits !== commitNumber) return commit();
        transaction.abort = async () => undefined;
        markCrashed();
        throw new Error('spec: the process died before committing');
      };
      return transaction;
    };
    return producer;
  };
  return crashing;
}

/** Every record on `topic` as a consumer with the given isolation sees it, once `count` are there. */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  {
    count,
    readUncommitted = false,
    timeoutMs = 30_000,
  }: { count: number; readUncommitted?: boolean; timeoutMs?: number },
): Promise<KafkaMessage[]> {
  const messages: KafkaMessage[] = [];
  const consumer = kafka.consumer({
    groupId: `spec-read-${randomUUID()}`,
    readUncommitted,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void messages.push(message) });
    await waitFor(() => messages.length >= count, {
      timeoutMs,
      describe: `${count} records on ${topic}`,
    });
    return messages;
  } finally {
    await consumer.disconnect();
  }
}

/** The source ids (x-source-id) of raw records, in topic order per partition. */
export const sourceIds = (messages: readonly KafkaMessage[]): string[] =>
  messages.map((m) => m.headers?.['x-source-id']?.toString() ?? '?');

/** A logger whose JSON lines a spec can read back (to prove what is, and is not, logged). */
export function capturedLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return { logger, lines };
}

/** The committed records on `topic` once there are at least `count`. */
export function committedAtLeast(
  kafka: Kafka,
  topic: string,
  count: number,
): Promise<KafkaMessage[]> {
  return waitFor(
    async () => {
      const found = await readCommittedToEnd(kafka, topic);
      return found.length >= count && found;
    },
    { timeoutMs: 60_000, describe: `${count} committed records on ${topic}` },
  );
}

/**
 * The source ids committed on `topic` once the connector has polled twice more (`polls`
 * counts the source's requests): what a later poll would have repeated is there by then.
 */
export async function idsAfterTwoMorePolls(
  kafka: Kafka,
  topic: string,
  polls: () => number,
): Promise<string[]> {
  const polled = polls();
  await waitFor(() => polls() >= polled + 2, { describe: 'two more polls' });
  return sourceIds(await readCommittedToEnd(kafka, topic));
}

/**
 * A connector that dies at its `commitNumber`th commit (kafkaCrashingAtCommit), then its
 * successor with the same connector id, started by `start`, as a restart would.
 */
export async function crashThenRestart<C>(
  kafka: Kafka,
  start: (kafka: Kafka) => Promise<ConnectorRunner<C>>,
  commitNumber = 2,
): Promise<void> {
  const crashing = kafkaCrashingAtCommit(kafka, commitNumber);
  const crashed = await start(crashing);
  await crashing.crashed;
  await crashed.stop();
  await start(kafka);
}

/** More records than `committed` are in the log: the crashed transaction's, never committed. */
export async function uncommittedBeyond(
  kafka: Kafka,
  topic: string,
  committed: number,
): Promise<number> {
  return (await readTopic(kafka, topic, { count: committed + 1, readUncommitted: true })).length;
}
