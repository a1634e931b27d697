import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import {
  ANALYST_VERDICTS,
  FEEDBACK_EVENT_TYPES,
  INCIDENT_STATUSES,
  isNumber,
  isObject,
  isOneOf,
  isString,
  type FeedbackEvent,
  type JsonObject,
} from '@soc/contracts';
import {
  AvroDecoder,
  feedbackEventFromAvro,
  readSchemaFile,
  UndecodableRecordError,
} from '@soc/kafka';

const ENVELOPE_TEXT = ['eventId', 'tenantId', 'streamId', 'actor', 'causationId'] as const;

function refuse(field: string, expected: string): never {
  throw new UndecodableRecordError(`expected ${expected}`, field);
}

const nullableText = (data: JsonObject, field: string): void => {
  if (data[field] !== null && !isString(data[field])) refuse(`data.${field}`, 'a string or null');
};

/** The data fields the correlator reads of each action (see feedback-decide.ts). */
function checkData(type: FeedbackEvent['type'], data: JsonObject): void {
  if (type !== 'PriorityFeedbackGiven' && !isString(data['incidentId']))
    refuse('data.incidentId', 'a string');
  if (type === 'IncidentVerdictGiven' && !isOneOf(ANALYST_VERDICTS, data['verdict']))
    refuse('data.verdict', `one of ${ANALYST_VERDICTS.join(', ')}`);
  if (type === 'IncidentStatusChanged' && !isOneOf(INCIDENT_STATUSES, data['status']))
    refuse('data.status', `one of ${INCIDENT_STATUSES.join(', ')}`);
  if (type === 'PriorityFeedbackGiven') {
    nullableText(data, 'incidentId');
    nullableText(data, 'alertId');
    nullableText(data, 'analystNotes');
    const priority = data['correctPriority'];
    if (!isNumber(priority) || priority < 0 || priority > 100)
      refuse('data.correctPriority', 'a number from 0 to 100');
  } else if (type !== 'IncidentAcknowledged' && type !== 'IncidentAssigned')
    nullableText(data, 'notes');
}

/** Narrows a decoded feedback record to a FeedbackEvent, or names the field that is wrong. */
export function feedbackEventOf(value: unknown): FeedbackEvent {
  if (!isObject(value)) refuse('value', 'an object');
  for (const field of ENVELOPE_TEXT) if (!isString(value[field])) refuse(field, 'a string');
  if (!isOneOf(FEEDBACK_EVENT_TYPES, value['type']))
    refuse('type', `one of ${FEEDBACK_EVENT_TYPES.join(', ')}`);
  if (!isNumber(value['sequence'])) refuse('sequence', 'a number');
  if (!isNumber(value['occurredAt'])) refuse('occurredAt', 'a number');
  if (!isObject(value['data'])) refuse('data', 'an object');
  checkData(value['type'], value['data']);
  return value as unknown as FeedbackEvent;
}

/**
 * Analyst actions in Avro (Confluent wire format) or JSON, as the query API writes them
 * (`FEEDBACK_ENCODING`); a record that is neither, or lacks a field the correlator reads, is
 * poison for the dead-letter topic.
 */
export const createFeedbackDecoder = (
  registry: SchemaRegistry,
  topic: string,
): AvroDecoder<FeedbackEvent> =>
  new AvroDecoder(registry, readSchemaFile('feedback'), {
    fromAvro: (record) => feedbackEventOf(feedbackEventFromAvro(record)),
    fromJson: feedbackEventOf,
    subject: `${topic}-value`,
  });
