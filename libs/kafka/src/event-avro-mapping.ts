import { isObject, type FeedbackEvent, type IncidentEvent, type IntelEvent } from '@soc/contracts';
import type { AvroMapping } from './avro-codec';

/**
 * The Avro shape of the incident, feedback and intel streams (schemas/incidents, schemas/feedback,
 * schemas/intel)
 * differs from the TypeScript union in one place: `data` is an Avro union of one record per
 * event type, named like the type, and avsc represents a union of records wrapped as
 * `{ "<namespace>.<Type>": data }`. Everything else (nulls, enums, arrays, numbers) maps as is.
 * Pure functions, used by every codec of the three topics (avro-codec.ts).
 */
const INCIDENT_AVRO_NAMESPACE = 'soc.incidents.v1';
const FEEDBACK_AVRO_NAMESPACE = 'soc.feedback.v1';
const INTEL_AVRO_NAMESPACE = 'soc.intel.v1';

type Wrapped<E extends { readonly data: unknown }> = Omit<E, 'data'> & {
  readonly data: Record<string, unknown>;
};

type IncidentEventAvro = Wrapped<IncidentEvent>;
type FeedbackEventAvro = Wrapped<FeedbackEvent>;

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
  if (!isObject(record)) throw new Error('Avro event record is not an object');
  const { data, ...envelope } = record;
  if (typeof envelope['type'] !== 'string') throw new Error('Avro event record has no type');
  if (!isObject(data)) throw new Error(`Avro ${envelope['type']} record has no data`);
  const branches = Object.keys(data);
  const expected = `${namespace}.${envelope['type']}`;
  if (branches.length !== 1 || branches[0] !== expected) {
    throw new Error(
      `Avro ${envelope['type']} record carries data branch ${branches.join(', ') || 'none'}, expected ${expected}`,
    );
  }
  return { ...envelope, data: data[expected] } as unknown as E;
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
export const incidentAvroMapping: AvroMapping<IncidentEvent> = {
  toAvro: incidentEventToAvro,
  fromAvro: incidentEventFromAvro,
};
export const feedbackAvroMapping: AvroMapping<FeedbackEvent> = {
  toAvro: feedbackEventToAvro,
  fromAvro: feedbackEventFromAvro,
};
/** soc.intel.v1: the data union wrapped by record name, like the other two streams. */
export const intelAvroMapping: AvroMapping<IntelEvent> = {
  toAvro: (event) => wrap(INTEL_AVRO_NAMESPACE, event),
  fromAvro: (record) => unwrap<IntelEvent>(INTEL_AVRO_NAMESPACE, record),
};
