import type { Message } from 'kafkajs';
import { DEAD_LETTER_HEADERS } from '@soc/contracts';

/** Where a syslog line came from: the listener and the sender's address. */
export interface SyslogOrigin {
  readonly transport: 'udp' | 'tcp' | 'tls';
  readonly remote: string;
  readonly tenantId: string | null;
}

/**
 * The dead-letter copy of a syslog line that did not become an alert, in the shape of every
 * other source's: the bytes as received, the reason and field, and where it came from
 * (`x-dlq-source-topic` is `syslog+<transport>`, the sender in `x-dlq-source-address`).
 */
export function syslogDeadLetter(
  line: string | Buffer,
  origin: SyslogOrigin,
  failure: { readonly reason: string; readonly field: string },
  failedAt: number,
): Message {
  return {
    key: origin.tenantId,
    value: typeof line === 'string' ? Buffer.from(line, 'utf8') : line,
    headers: {
      [DEAD_LETTER_HEADERS.reason]: failure.reason,
      [DEAD_LETTER_HEADERS.field]: failure.field,
      [DEAD_LETTER_HEADERS.sourceTopic]: `syslog+${origin.transport}`,
      [DEAD_LETTER_HEADERS.sourceAddress]: origin.remote,
      [DEAD_LETTER_HEADERS.failedAt]: new Date(failedAt).toISOString(),
    },
  };
}
