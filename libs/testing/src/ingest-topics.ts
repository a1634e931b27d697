// The ingest app's fixed topics as its specs share them: partition counts, raw topics of a
// spec's own, and a decoded tail of soc.alerts.v1.
import type { Kafka } from 'kafkajs';
import { TOPICS, type CanonicalAlert } from '@soc/contracts';
import { AvroTopicCodec, createSchemaRegistry, ensureTopics, readSchemaFile } from '@soc/kafka';
import { infraFromEnv } from './infra';
import { TopicTail, type TailedRecord } from './topic-tail';
import { uniqueName } from './unique-name';

/** Partitions of the app's fixed topics when a spec is the first to create them. */
const DEFAULT_PARTITIONS = 2;

/**
 * The app's topic names are fixed and `ensureTopics` refuses a partition count other than the
 * existing one, so specs adopt whatever count soc.alerts.v1 already has.
 */
export async function alertTopicPartitions(kafka: Kafka): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(TOPICS.alerts)) return DEFAULT_PARTITIONS;
    const metadata = await admin.fetchTopicMetadata({ topics: [TOPICS.alerts] });
    return metadata.topics[0]?.partitions.length ?? DEFAULT_PARTITIONS;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Raw topics of the spec's own. The contract's `soc.raw.<format>` topics may have consumers
 * outside the spec (an ingest left running on the development stack reads them with the
 * production group), which would publish a second copy of every alert a spec expects once.
 */
export const specRawTopicPrefix = (): string => `${uniqueName('spec')}.soc.raw.`;

/** Creates the topics the app writes (as it would) and the given raw topics. */
export async function prepareTopics(
  kafka: Kafka,
  partitions: number,
  rawTopics: readonly string[] = [],
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [
      { topic: TOPICS.alerts, numPartitions: partitions },
      { topic: TOPICS.alertsDeadLetter, numPartitions: partitions },
      ...rawTopics.map((topic) => ({ topic, numPartitions: partitions })),
    ]);
  } finally {
    await admin.disconnect();
  }
}

/** Deletes a spec's own topics, so the development broker does not collect them. */
export async function deleteTopics(kafka: Kafka, topics: readonly string[]): Promise<void> {
  if (topics.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [...topics] });
  } finally {
    await admin.disconnect();
  }
}

/** A decoded alert from soc.alerts.v1 with where it was and what it carried. */
export interface ReadAlert {
  readonly alert: CanonicalAlert;
  readonly record: TailedRecord;
}

/**
 * soc.alerts.v1 from the moment the spec started, decoded through the registry. Only records
 * keyed by the asked tenant are decoded: other specs share the topic, some of them writing
 * deliberately undecodable records.
 */
export class AlertTail {
  private readonly decoded = new Map<string, CanonicalAlert>();

  private constructor(
    readonly tail: TopicTail,
    private readonly codec: AvroTopicCodec<CanonicalAlert>,
  ) {}

  static async start(kafka: Kafka): Promise<AlertTail> {
    const codec = await AvroTopicCodec.register<CanonicalAlert>(
      createSchemaRegistry(infraFromEnv().schemaRegistryUrl),
      TOPICS.alerts,
      readSchemaFile('alerts'),
    );
    return new AlertTail(await TopicTail.start(kafka, TOPICS.alerts), codec);
  }

  /** The tenant's alerts in topic order per partition (one tenant is one partition). */
  async of(tenantId: string): Promise<ReadAlert[]> {
    const alerts: ReadAlert[] = [];
    for (const record of this.tail.records()) {
      if (record.key !== tenantId) continue;
      const id = `${record.partition}:${record.offset}`;
      let alert = this.decoded.get(id);
      if (!alert) {
        alert = await this.codec.decode(record.value);
        this.decoded.set(id, alert);
      }
      alerts.push({ alert, record });
    }
    return alerts;
  }

  stop(): Promise<void> {
    return this.tail.stop();
  }
}
