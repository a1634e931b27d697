import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { ReadModelEvent } from '@soc/domain';
import {
  AvroDecoder,
  feedbackEventFromAvro,
  incidentEventFromAvro,
  readSchemaFile,
} from '@soc/kafka';
import { parseReadModelEvent, type EventFamily } from './event-guard';

/** One decoder per consumed stream; each narrows what it decodes with the event guard. */
export type EventDecoders = Readonly<Record<EventFamily, AvroDecoder<ReadModelEvent>>>;

/**
 * Incident and feedback records in Avro (Confluent wire format) or as JSON objects, for
 * producers that have no schema yet; either way narrowed by the event guard, so a malformed
 * record becomes a dead letter naming the field.
 */
export function createEventDecoders(
  registry: SchemaRegistry,
  topics: { readonly incidents: string; readonly feedback: string },
): EventDecoders {
  return {
    incident: new AvroDecoder(registry, readSchemaFile('incidents'), {
      fromAvro: (record) => parseReadModelEvent(incidentEventFromAvro(record), 'incident'),
      fromJson: (value) => parseReadModelEvent(value, 'incident'),
      subject: `${topics.incidents}-value`,
    }),
    feedback: new AvroDecoder(registry, readSchemaFile('feedback'), {
      fromAvro: (record) => parseReadModelEvent(feedbackEventFromAvro(record), 'feedback'),
      fromJson: (value) => parseReadModelEvent(value, 'feedback'),
      subject: `${topics.feedback}-value`,
    }),
  };
}
