import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { Consumer, Kafka } from 'kafkajs';
import type { CanonicalAlert, IncidentEvent } from '@soc/contracts';
import type { AvroTopicCodec } from '@soc/kafka';
import { registerCodecs } from './correlator-codecs';
import { uniqueName } from './unique-name';

export interface IncidentCollectorOptions {
  readonly kafka: Kafka;
  readonly registry: SchemaRegistry;
  readonly topics: { readonly alerts: string; readonly incidents: string };
  /** Prefix of the collector's own consumer group. */
  readonly groupPrefix: string;
  /** Called with every decoded incident event, in the order the topic delivers them. */
  readonly onEvent: (event: IncidentEvent) => void;
}

/**
 * Registers the correlator's codecs on a spec's topics and reads the incident topic from the
 * beginning, handing each decoded event to `onEvent`; the spec sends alerts with `alertCodec`.
 */
export async function startIncidentCollector({
  kafka,
  registry,
  topics,
  groupPrefix,
  onEvent,
}: IncidentCollectorOptions): Promise<{
  readonly alertCodec: AvroTopicCodec<CanonicalAlert>;
  readonly collector: Consumer;
}> {
  const { alertCodec, incidentCodec } = await registerCodecs(registry, topics);
  const collector = kafka.consumer({ groupId: uniqueName(groupPrefix), maxWaitTimeInMs: 50 });
  await collector.connect();
  await collector.subscribe({ topic: topics.incidents, fromBeginning: true });
  await collector.run({
    eachMessage: async ({ message }) => {
      onEvent(await incidentCodec.decode(message.value));
    },
  });
  return { alertCodec, collector };
}
