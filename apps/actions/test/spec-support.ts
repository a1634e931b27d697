// Helpers for the actions service's integration specs: an incident topic with an Avro codec,
// escalating incidents to produce, the service's environment, and reading its dead letters.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Partitioners, type IHeaders, type Kafka, type KafkaMessage, type Producer } from 'kafkajs';
import type { IncidentEvent } from '@soc/contracts';
import {
  AvroTopicCodec,
  createSchemaRegistry,
  incidentAvroMapping,
  readSchemaFile,
} from '@soc/kafka';
import { createTopic, uniqueName, waitFor, type TestInfra } from '@soc/testing';
import {
  incidentClosed,
  incidentEscalated,
  incidentScored,
  liveIncident,
  T0,
} from '../../../test/support/incident-events';
import type { RoutingFile } from '../src/routing/routing-schema';

export interface IncidentLog {
  readonly topic: string;
  readonly deadLetterTopic: string;
  readonly groupId: string;
  readonly produce: (events: readonly IncidentEvent[]) => Promise<void>;
  readonly close: () => Promise<void>;
}

export async function createIncidentLog(
  kafka: Kafka,
  infra: TestInfra,
  name: string,
): Promise<IncidentLog> {
  const topic = await createTopic(uniqueName(`${name}-incidents`), 2, { kafka });
  const codec = await AvroTopicCodec.register(
    createSchemaRegistry(infra.schemaRegistryUrl),
    topic,
    readSchemaFile('incidents'),
    incidentAvroMapping,
  );
  const producer: Producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return {
    topic,
    deadLetterTopic: uniqueName(`${name}-dlq`),
    groupId: uniqueName(`${name}-group`),
    produce: async (events) => {
      await producer.send({
        topic,
        acks: -1,
        messages: events.map((event) => ({ key: event.tenantId, value: codec.encode(event) })),
      });
    },
    close: () => producer.disconnect(),
  };
}

/** Opened, attached, scored above the threshold, escalated and closed: five events, three changes. */
export function escalatingIncident(
  tenantId: string,
  incidentId: string,
  index = 0,
): IncidentEvent[] {
  const at = T0 + index * 600_000;
  return [
    ...liveIncident(tenantId, incidentId, at, { priority: 60, hostName: `ws-${index}` }),
    incidentScored(incidentId, 91, { tenantId, sequence: 4, occurredAt: at + 61_000 }, 60),
    incidentEscalated(incidentId, 91, { tenantId, sequence: 5, occurredAt: at + 61_000 }),
    incidentClosed(incidentId, 'window-expired', {
      tenantId,
      sequence: 6,
      occurredAt: at + 900_000,
    }),
  ];
}

export function actionsEnv(
  infra: TestInfra,
  log: IncidentLog,
  routing: RoutingFile,
  secrets: Readonly<Record<string, string>>,
): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'soc-actions-'));
  const file = join(dir, 'routing.json');
  writeFileSync(file, JSON.stringify(routing));
  return {
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
    TOPIC_PARTITIONS: '2',
    ACTIONS_CONFIG_FILE: file,
    ACTIONS_GROUP_ID: log.groupId,
    ACTIONS_INCIDENTS_TOPIC: log.topic,
    ACTIONS_DLQ_TOPIC: log.deadLetterTopic,
    ACTIONS_START_FROM: 'earliest',
    ACTIONS_MAX_ATTEMPTS: '3',
    ACTIONS_RETRY_INITIAL: '50ms',
    ACTIONS_RETRY_MAX: '200ms',
    ...secrets,
  };
}

/** Waits until the group has committed every partition of the topic up to its end. */
export async function waitForCommittedToEnd(kafka: Kafka, log: IncidentLog): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await waitFor(
      async () => {
        const ends = await admin.fetchTopicOffsets(log.topic);
        const [committed] = await admin.fetchOffsets({ groupId: log.groupId, topics: [log.topic] });
        return ends.every((end) => {
          const offset = committed?.partitions.find((p) => p.partition === end.partition)?.offset;
          // An empty partition has nothing to commit (-1).
          return offset === end.high || (end.high === end.low && offset === '-1');
        });
      },
      { timeoutMs: 60_000, describe: `group ${log.groupId} to commit ${log.topic} to its end` },
    );
  } finally {
    await admin.disconnect();
  }
}

export interface DeadLetter {
  readonly headers: Record<string, string>;
  readonly value: Buffer | null;
}

const headerText = (headers: IHeaders | undefined): Record<string, string> =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name, String(value)]));

/** Reads the dead-letter topic from the start until `count` records are in. */
export async function readDeadLetters(
  kafka: Kafka,
  topic: string,
  count: number,
): Promise<DeadLetter[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('dlq-reader') });
  const records: DeadLetter[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }: { message: KafkaMessage }) => {
        records.push({ headers: headerText(message.headers), value: message.value });
      },
    });
    await waitFor(() => records.length >= count, {
      timeoutMs: 60_000,
      describe: `${count} dead letters on ${topic}`,
    });
    return records;
  } finally {
    await consumer.disconnect();
  }
}
