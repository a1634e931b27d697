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

/** The wire format a topic carries: Avro (Confluent framing) or JSON objects. */
export type EventEncoding = 'avro' | 'json';

/**
 * Incident and feedback records in the one wire format configured for their topic: Avro, or
 * JSON objects for producers that have no schema (`FEEDBACK_ENCODING=json` in the query API).
 * A record in the other format is poison (a dead letter saying which format it is), since a
 * producer that bypasses the registry must not reach the read model. Either way the event
 * guard narrows what is decoded, so a malformed record becomes a dead letter naming the field.
 */
export function createEventDecoders(
  registry: SchemaRegistry,
  topics: {
    readonly incidents: string;
    readonly feedback: string;
    readonly incidentsEncoding: EventEncoding;
    readonly feedbackEncoding: EventEncoding;
  },
): EventDecoders {
  return {
    incident: new AvroDecoder(registry, readSchemaFile('incidents'), {
      fromAvro: (record) => parseReadModelEvent(incidentEventFromAvro(record), 'incident'),
      fromJson: (value) => parseReadModelEvent(value, 'incident'),
      accepts: topics.incidentsEncoding,
      subject: `${topics.incidents}-value`,
    }),
    feedback: new AvroDecoder(registry, readSchemaFile('feedback'), {
      fromAvro: (record) => parseReadModelEvent(feedbackEventFromAvro(record), 'feedback'),
      fromJson: (value) => parseReadModelEvent(value, 'feedback'),
      accepts: topics.feedbackEncoding,
      subject: `${topics.feedback}-value`,
    }),
  };
}
