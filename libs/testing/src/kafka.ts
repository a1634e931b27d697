// Kafka for integration specs: a client on the test infrastructure and explicit topic creation
// (the brokers do not create topics automatically).
import { ITopicConfig, Kafka, KafkaConfig, logLevel } from 'kafkajs';
import { infraFromEnv } from './infra';
import { uniqueName } from './unique-name';
import { awaitPartitionLeaders } from '@soc/kafka';

export function testKafka(overrides: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: uniqueName('spec'),
    brokers: [...infraFromEnv().kafkaBrokers],
    // kafkajs logs retriable conditions (coordinator loading, unknown topic) as errors; failures
    // that matter reach the spec as exceptions.
    logLevel: logLevel.NOTHING,
    ...overrides,
  });
}

export interface CreateTopicOptions {
  readonly replicationFactor?: number;
  readonly configEntries?: ITopicConfig['configEntries'];
  readonly kafka?: Kafka;
}

/** Creates a new topic with `partitions` partitions and waits until every partition has a leader. */
export async function createTopic(
  name: string,
  partitions: number,
  options: CreateTopicOptions = {},
): Promise<string> {
  const admin = (options.kafka ?? testKafka()).admin();
  await admin.connect();
  try {
    const created = await admin.createTopics({
      waitForLeaders: false,
      topics: [
        {
          topic: name,
          numPartitions: partitions,
          replicationFactor: options.replicationFactor ?? 1,
          ...(options.configEntries ? { configEntries: options.configEntries } : {}),
        },
      ],
    });
    if (!created) throw new Error(`topic ${name} already exists`);
    await awaitPartitionLeaders(admin, name, partitions);
    return name;
  } finally {
    await admin.disconnect();
  }
}
