import { ConfigResourceTypes, ConfigSource, type Admin } from 'kafkajs';
import { TOPICS } from '@soc/contracts';

export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions: number;
  /** Topic configuration; it wins over the retention `retentionOf` gives the topic. */
  readonly config?: Readonly<Record<string, string>>;
}

const DAY_MS = 86_400_000;

/** Logs that recovery, replay and `projector rebuild` read from offset 0: never deleted. */
const LOGS: readonly string[] = [TOPICS.incidents, TOPICS.feedback, TOPICS.tenantConfig];

const isLog = (topic: string): boolean =>
  LOGS.some((log) => topic === log || topic.endsWith(`.${log}`));

/**
 * The retention every topic the project creates gets explicitly, never the broker's default:
 * the incident, feedback and tenant-config logs are kept forever (delete policy, no time or size limit; not
 * compacted: their key is the tenant, so compaction would keep one event a tenant); dead-letter
 * topics 30 days for an operator to inspect and replay; alerts and raw topics 7 days, since
 * nothing is rebuilt from them once the correlator has consumed them.
 */
export function retentionOf(topic: string): Record<string, string> {
  if (isLog(topic))
    return { 'cleanup.policy': 'delete', 'retention.ms': '-1', 'retention.bytes': '-1' };
  const days = topic.endsWith('.dlq') ? 30 : 7;
  return { 'cleanup.policy': 'delete', 'retention.ms': String(days * DAY_MS) };
}

/**
 * Creates missing topics with explicit partitions (brokers run with auto-creation off) and
 * retention (`retentionOf`), and fails when an existing topic has another partition count
 * than asked: co-partitioned topics that disagree would silently split a tenant's state
 * across correlators. An existing log topic with a finite retention (created before, or by
 * hand with the broker default of 7 days) is raised to infinite: that change only ever keeps
 * more, and without it the broker would delete the history replay depends on.
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
        configEntries: Object.entries({ ...retentionOf(spec.topic), ...spec.config }).map(
          ([name, value]) => ({ name, value }),
        ),
      })),
    });
    for (const spec of missing) await awaitPartitionLeaders(admin, spec.topic, spec.numPartitions);
  }
  const present = specs.filter((spec) => existing.has(spec.topic));
  if (present.length === 0) return;
  await keepLogsForever(admin, present.map((spec) => spec.topic).filter(isLog));
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

const FOREVER = ['retention.ms', 'retention.bytes'];

async function keepLogsForever(admin: Admin, topics: readonly string[]): Promise<void> {
  if (topics.length === 0) return;
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
  });
  for (const resource of resources) {
    const finite = resource.configEntries.some(
      (entry) => FOREVER.includes(entry.configName) && entry.configValue !== '-1',
    );
    if (!finite) continue;
    // AlterConfigs replaces a topic's whole configuration: carry over what was set on it.
    const kept = resource.configEntries
      .filter(
        (e) => e.configSource === ConfigSource.TOPIC_CONFIG && !FOREVER.includes(e.configName),
      )
      .map((e) => ({ name: e.configName, value: e.configValue }));
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: resource.resourceName,
          configEntries: [...kept, ...FOREVER.map((name) => ({ name, value: '-1' }))],
        },
      ],
    });
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
