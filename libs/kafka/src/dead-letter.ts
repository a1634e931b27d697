import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import { DEAD_LETTER_HEADERS } from '@soc/contracts';

export interface DeadLetterSource {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export interface DeadLetterReason {
  readonly reason: string;
  readonly field?: string | undefined;
}

/**
 * The most of the original value a dead-letter copy carries: with the reason headers added, a
 * copy of a record near the broker's 1 MiB limit would itself be refused, and the consumer
 * writing it would stop on the very record it meant to set aside.
 */
export const MAX_DEAD_LETTER_VALUE_BYTES = 1_000_000;

/**
 * The dead-letter copy of a record: the original key, value and headers byte for byte, plus
 * headers saying why it failed and where it came from, so it can be inspected and replayed.
 * A value over MAX_DEAD_LETTER_VALUE_BYTES keeps its head, and `x-dlq-value-truncated` says
 * how long the original was.
 */
export function deadLetterMessage(
  original: Pick<KafkaMessage, 'key' | 'value' | 'headers'>,
  source: DeadLetterSource,
  failure: DeadLetterReason,
  failedAt: number,
): Message {
  const headers: IHeaders = {
    ...(original.headers ?? {}),
    [DEAD_LETTER_HEADERS.reason]: failure.reason,
    [DEAD_LETTER_HEADERS.sourceTopic]: source.topic,
    [DEAD_LETTER_HEADERS.sourcePartition]: String(source.partition),
    [DEAD_LETTER_HEADERS.sourceOffset]: source.offset,
    [DEAD_LETTER_HEADERS.failedAt]: new Date(failedAt).toISOString(),
  };
  if (failure.field) headers[DEAD_LETTER_HEADERS.field] = failure.field;
  let value = original.value;
  if (value && value.length > MAX_DEAD_LETTER_VALUE_BYTES) {
    headers[DEAD_LETTER_HEADERS.valueTruncated] = String(value.length);
    value = value.subarray(0, MAX_DEAD_LETTER_VALUE_BYTES);
  }
  return { key: original.key, value, headers };
}
