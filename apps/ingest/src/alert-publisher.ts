import type { Message, Producer } from 'kafkajs';
import { TOPICS, TRACEPARENT_HEADER, type CanonicalAlert } from '@soc/contracts';
import { RedeliveryFilter } from '@soc/domain';
import { nextTraceparent, type AvroTopicCodec } from '@soc/kafka';
import type { AppMetrics } from '@soc/observability';

/**
 * Room left under the broker's default `message.max.bytes` (1 MiB) for the key, the headers
 * and the record batch framing. The normalizers' caps keep every alert far below it (README,
 * "Limits"); this is the check that holds even if a cap is ever wrong.
 */
export const MAX_ALERT_MESSAGE_BYTES = 1_000_000;

/** One produce request carries at most this many value bytes, so no batch exceeds the limit. */
const MAX_REQUEST_BYTES = 900_000;

/**
 * The header of every alert ingest produces: its re-delivery key (tenant, source system and
 * alert id), which every ingest process reads back from the topic (see AlertLogTail).
 */
export const REDELIVERY_KEY_HEADER = 'x-soc-redelivery-key';

export interface EncodedAlert {
  readonly alert: CanonicalAlert;
  readonly message: Message;
}

/** A publish that failed part-way: the alerts Kafka acknowledged before it failed. */
export class PublishFailed extends Error {
  constructor(
    readonly delivered: readonly CanonicalAlert[],
    failure: unknown,
  ) {
    super(
      `publishing to ${TOPICS.alerts} failed: ${(failure as Error)?.message ?? String(failure)}`,
    );
  }
}

/**
 * Produces accepted alerts to `soc.alerts.v1` and resolves only when the brokers acknowledged
 * all of them (idempotent producer, acks=all). Keyed by tenant id, the correlator's partition
 * key, so one tenant's alerts stay in order on one partition. Requests are cut by size, one
 * after the other, so a large batch never becomes a record batch over the broker's limit and
 * order is kept.
 */
export class AlertPublisher {
  constructor(
    private readonly producer: Producer,
    private readonly codec: AvroTopicCodec<CanonicalAlert>,
    private readonly metrics: AppMetrics,
  ) {}

  async publish(alerts: readonly EncodedAlert[]): Promise<void> {
    const delivered: CanonicalAlert[] = [];
    for (const chunk of bySize(alerts)) {
      try {
        await this.producer.send({
          topic: TOPICS.alerts,
          acks: -1,
          messages: chunk.map((encoded) => encoded.message),
        });
      } catch (error) {
        throw new PublishFailed(delivered, error);
      }
      for (const encoded of chunk) delivered.push(encoded.alert);
      this.metrics.messagesOut.inc({ topic: TOPICS.alerts }, chunk.length);
    }
  }

  /** Dead-letter records of a door without a consuming pipeline (syslog). */
  async deadLetter(messages: readonly Message[]): Promise<void> {
    if (messages.length === 0) return;
    await this.producer.send({ topic: TOPICS.alertsDeadLetter, acks: -1, messages: [...messages] });
    this.metrics.messagesOut.inc({ topic: TOPICS.alertsDeadLetter }, messages.length);
  }

  toMessage(alert: CanonicalAlert, traceparent?: string): Message {
    return {
      key: alert.tenantId,
      value: this.codec.encode(alert),
      headers: {
        [TRACEPARENT_HEADER]: nextTraceparent(traceparent),
        [REDELIVERY_KEY_HEADER]: RedeliveryFilter.keyOf(alert),
      },
    };
  }

  /** Why a message cannot be produced, or undefined when it fits the broker's limit. */
  static oversize(message: Message): string | undefined {
    const bytes = messageBytes(message);
    return bytes > MAX_ALERT_MESSAGE_BYTES
      ? `encoded alert of ${bytes} bytes exceeds the message limit of ${MAX_ALERT_MESSAGE_BYTES}`
      : undefined;
  }
}

const messageBytes = (message: Message): number =>
  byteLength(message.value) + byteLength(message.key ?? null);

const byteLength = (value: Buffer | string | null): number =>
  value === null ? 0 : typeof value === 'string' ? Buffer.byteLength(value) : value.length;

function* bySize(alerts: readonly EncodedAlert[]): Generator<EncodedAlert[]> {
  let chunk: EncodedAlert[] = [];
  let bytes = 0;
  for (const encoded of alerts) {
    const size = messageBytes(encoded.message);
    if (chunk.length > 0 && bytes + size > MAX_REQUEST_BYTES) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(encoded);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}
