import type { FeedbackEvent, IncidentEvent } from '@soc/contracts';

/**
 * The Avro shape of the incident and feedback streams (schemas/incidents, schemas/feedback)
 * differs from the TypeScript union in one place: `data` is an Avro union of one record per
 * event type, named like the type, and avsc represents a union of records wrapped as
 * `{ "<namespace>.<Type>": data }`. Everything else (nulls, enums, arrays, numbers) maps as is.
 * Pure functions; the codec that calls them lives with the Kafka client.
 */
export const INCIDENT_AVRO_NAMESPACE = 'soc.incidents.v1';
export const FEEDBACK_AVRO_NAMESPACE = 'soc.feedback.v1';

type Wrapped<E extends { readonly data: unknown }> = Omit<E, 'data'> & {
  readonly data: Record<string, unknown>;
};

export type IncidentEventAvro = Wrapped<IncidentEvent>;
export type FeedbackEventAvro = Wrapped<FeedbackEvent>;

export interface AvroValueMapping<T> {
  readonly toAvro: (value: T) => unknown;
  readonly fromAvro: (record: unknown) => T;
}

export function wrap<E extends { readonly type: string; readonly data: unknown }>(
  namespace: string,
  event: E,
): Wrapped<E> {
  return { ...event, data: { [`${namespace}.${event.type}`]: event.data } };
}

export function unwrap<E extends { readonly type: string; readonly data: unknown }>(
  namespace: string,
  record: unknown,
): E {
  if (typeof record !== 'object' || record === null)
    throw new Error('Avro event record is not an object');
  const { data, ...envelope } = record as { type?: unknown; data?: unknown };
  if (typeof envelope.type !== 'string') throw new Error('Avro event record has no type');
  if (typeof data !== 'object' || data === null)
    throw new Error(`Avro ${envelope.type} record has no data`);
  const branches = Object.keys(data);
  const expected = `${namespace}.${envelope.type}`;
  if (branches.length !== 1 || branches[0] !== expected) {
    throw new Error(
      `Avro ${envelope.type} record carries data branch ${branches.join(', ') || 'none'}, expected ${expected}`,
    );
  }
  return { ...envelope, data: (data as Record<string, unknown>)[expected] } as unknown as E;
}

export const incidentEventToAvro = (event: IncidentEvent): IncidentEventAvro =>
  wrap(INCIDENT_AVRO_NAMESPACE, event);
export const incidentEventFromAvro = (record: unknown): IncidentEvent =>
  unwrap<IncidentEvent>(INCIDENT_AVRO_NAMESPACE, record);
export const feedbackEventToAvro = (event: FeedbackEvent): FeedbackEventAvro =>
  wrap(FEEDBACK_AVRO_NAMESPACE, event);
export const feedbackEventFromAvro = (record: unknown): FeedbackEvent =>
  unwrap<FeedbackEvent>(FEEDBACK_AVRO_NAMESPACE, record);

/** Ready for an Avro topic codec (`AvroTopicCodec.register(registry, topic, schema, mapping)`). */
export const incidentAvroMapping: AvroValueMapping<IncidentEvent> = {
  toAvro: incidentEventToAvro,
  fromAvro: incidentEventFromAvro,
};
export const feedbackAvroMapping: AvroValueMapping<FeedbackEvent> = {
  toAvro: feedbackEventToAvro,
  fromAvro: feedbackEventFromAvro,
};
