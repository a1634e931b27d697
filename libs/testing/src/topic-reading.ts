// Reading topics and consumer groups as a spec checks them: a topic to its end (read
// committed), a group's lag and members, and waiting for a group to catch up.
import { AssignerProtocol, type IHeaders, type Kafka, type KafkaMessage } from 'kafkajs';
import { readPartitionToEnd } from '@soc/kafka';
import { uniqueName } from './unique-name';
import { waitFor } from './wait-for';

export interface ConsumedRecord {
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
}

/**
 * Every committed record of `topic` up to the end each partition has now (read committed
 * unless asked otherwise). The end is detected from batch offsets, which also count
 * transaction markers.
 */
export async function readTopicToEnd(
  kafka: Kafka,
  topic: string,
  {
    timeoutMs = 60_000,
    readUncommitted = false,
  }: { readonly timeoutMs?: number; readonly readUncommitted?: boolean } = {},
): Promise<ConsumedRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    for (const o of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(o.high) > BigInt(o.low)) ends.set(o.partition, BigInt(o.high));
    }
  } finally {
    await admin.disconnect();
  }
  if (ends.size === 0) return [];
  const records: ConsumedRecord[] = [];
  const reached = new Set<number>();
  const consumer = kafka.consumer({
    groupId: uniqueName('spec-reader'),
    readUncommitted,
    maxWaitTimeInMs: 100,
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const end = ends.get(payload.partition);
    if (payload.topic === topic && end !== undefined && BigInt(payload.lastOffset) + 1n >= end)
      reached.add(payload.partition);
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          records.push({
            partition: batch.partition,
            offset: message.offset,
            key: message.key,
            value: message.value,
            headers: message.headers ?? {},
          });
        }
      },
    });
    await waitFor(() => reached.size === ends.size, {
      timeoutMs,
      describe: `${topic} read to its end (${ends.size} partitions)`,
    });
  } finally {
    await consumer.disconnect();
  }
  return records.sort(
    (a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)),
  );
}

/** The group's committed offsets and the topic's end offsets, per partition. */
export async function groupLag(
  kafka: Kafka,
  groupId: string,
  topic: string,
): Promise<Map<number, { committed: bigint; end: bigint }>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const lag = new Map<number, { committed: bigint; end: bigint }>();
    for (const end of ends) {
      const offset =
        committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
      lag.set(end.partition, { committed: BigInt(offset), end: BigInt(end.high) });
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until the group has committed every record now in `topic`. The correlator commits its
 * offsets in the transaction that writes its outputs, so then every output is committed too.
 */
export async function waitForGroupCaughtUp(
  kafka: Kafka,
  groupId: string,
  topic: string,
  timeoutMs: number,
): Promise<void> {
  let last = '';
  await waitFor(
    async () => {
      const lag = await groupLag(kafka, groupId, topic);
      last = [...lag].map(([p, { committed, end }]) => `p${p} ${committed}/${end}`).join(', ');
      return [...lag.values()].every(({ committed, end }) => end === 0n || committed === end);
    },
    { timeoutMs, intervalMs: 250, describe: `group ${groupId} to commit all of ${topic}` },
  ).catch((error: unknown) => {
    throw new Error(`${error instanceof Error ? error.message : String(error)} (last: ${last})`);
  });
}

/**
 * Commits the group's offsets of `topic` at the end the topic has now, so an app joining it
 * reads only what comes after: a spec's own records of a shared topic.
 */
export async function startGroupAtEnd(kafka: Kafka, groupId: string, topic: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({
      groupId,
      topic,
      partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
    });
  } finally {
    await admin.disconnect();
  }
}

export interface GroupMember {
  readonly memberId: string;
  readonly partitions: readonly number[];
}

/** The group's state and which partitions of `topic` each member holds. */
export async function groupMembers(
  kafka: Kafka,
  groupId: string,
  topic: string,
): Promise<{ state: string; members: GroupMember[] }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    const group = groups[0];
    const members = (group?.members ?? []).map((member) => ({
      memberId: member.memberId,
      partitions: [
        ...(AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment[topic] ??
          []),
      ].sort((a, b) => a - b),
    }));
    return { state: group?.state ?? 'Unknown', members };
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads `topic` from its start as a read-committed consumer until `expected` records arrived,
 * and returns them in arrival order.
 */
export async function readCommittedMessages(
  kafka: Kafka,
  { topic, expected }: { readonly topic: string; readonly expected: number },
): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), readUncommitted: false });
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

/** Every committed record on `topic` now, read to the end of each partition (read committed). */
export async function readCommittedToEnd(kafka: Kafka, topic: string): Promise<KafkaMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const partitions = (await admin.fetchTopicOffsets(topic)).map((o) => o.partition);
  await admin.disconnect();
  const messages: KafkaMessage[] = [];
  for (const partition of partitions)
    await readPartitionToEnd(kafka, topic, partition, (batch) => void messages.push(...batch));
  return messages;
}
