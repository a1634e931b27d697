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
 * The dead-letter copy of a record: the original key, value and headers byte for byte, plus
 * headers saying why it failed and where it came from, so it can be inspected and replayed.
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
  return { key: original.key, value: original.value, headers };
}
