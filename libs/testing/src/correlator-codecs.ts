import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { CanonicalAlert, IncidentEvent } from '@soc/contracts';
import { AvroTopicCodec, incidentAvroMapping, readSchemaFile } from '@soc/kafka';

/** The correlator's alert and incident codecs on a spec's own topics. */
export async function registerCodecs(
  registry: SchemaRegistry,
  topics: { readonly alerts: string; readonly incidents: string },
): Promise<{
  readonly alertCodec: AvroTopicCodec<CanonicalAlert>;
  readonly incidentCodec: AvroTopicCodec<IncidentEvent>;
}> {
  return {
    alertCodec: await AvroTopicCodec.register<CanonicalAlert>(
      registry,
      topics.alerts,
      readSchemaFile('alerts'),
    ),
    incidentCodec: await AvroTopicCodec.register<IncidentEvent>(
      registry,
      topics.incidents,
      readSchemaFile('incidents'),
      incidentAvroMapping,
    ),
  };
}
