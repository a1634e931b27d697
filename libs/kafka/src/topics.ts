import type { Admin } from 'kafkajs';

export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions: number;
  readonly config?: Readonly<Record<string, string>>;
}

/**
 * Creates missing topics with explicit partitions (brokers run with auto-creation off) and
 * fails when an existing topic has another partition count than asked: co-partitioned topics
 * that disagree would silently split a tenant's state across correlators.
 */
export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((spec) => !existing.has(spec.topic));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: false,
      topics: missing.map((spec) => ({
        topic: spec.topic,
        numPartitions: spec.numPartitions,
        configEntries: Object.entries(spec.config ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
    for (const spec of missing) await awaitPartitionLeaders(admin, spec.topic, spec.numPartitions);
  }
  const present = specs.filter((spec) => existing.has(spec.topic));
  if (present.length === 0) return;
  const metadata = await admin.fetchTopicMetadata({ topics: present.map((spec) => spec.topic) });
  for (const spec of present) {
    const found = metadata.topics.find((t) => t.name === spec.topic)?.partitions.length ?? 0;
    if (found !== spec.numPartitions) {
      throw new Error(
        `topic ${spec.topic} has ${found} partitions, expected ${spec.numPartitions}: ` +
          'co-partitioned topics must agree (set TOPIC_PARTITIONS to the existing count)',
      );
    }
  }
}

/**
 * Waits until every partition of a new topic has a leader. kafkajs's own `waitForLeaders`
 * gives up when the broker answers "does not host this topic-partition", which a KRaft broker
 * does for a moment after creating a topic (kafkajs issues #815 and #1563).
 */
export async function awaitPartitionLeaders(
  admin: Admin,
  topic: string,
  partitions: number,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { topics } = await admin
      .fetchTopicMetadata({ topics: [topic] })
      .catch(() => ({ topics: [] }));
    const found = topics.find((t) => t.name === topic)?.partitions ?? [];
    if (found.length === partitions && found.every((partition) => partition.leader >= 0)) return;
    if (Date.now() > deadline)
      throw new Error(
        `topic ${topic}: no leader for all ${partitions} partitions after ${timeoutMs} ms`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
