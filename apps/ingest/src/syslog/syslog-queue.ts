/** A syslog message waiting to be published, with where it came from. */
export interface QueuedMessage {
  readonly record: string;
  readonly tenantId: string | null;
  readonly transport: 'udp' | 'tcp' | 'tls';
  readonly remote: string;
}

/**
 * The messages received and not yet published, bounded in bytes: `offer` refuses a message
 * that would pass the bound (UDP counts it as dropped; TCP senders are paused well before, at
 * half of it). Messages taken for a publish that fails go back to the head, so none is lost.
 */
export class SyslogQueue {
  private items: QueuedMessage[] = [];
  private queuedBytes = 0;

  constructor(private readonly maxBytes: number) {}

  get bytes(): number {
    return this.queuedBytes;
  }

  get length(): number {
    return this.items.length;
  }

  /** True when a TCP sender should wait until the queue drains. */
  get pressing(): boolean {
    return this.queuedBytes >= this.maxBytes / 2;
  }

  offer(message: QueuedMessage): boolean {
    const size = sizeOf(message);
    if (this.queuedBytes + size > this.maxBytes) return false;
    this.items.push(message);
    this.queuedBytes += size;
    return true;
  }

  take(max: number): QueuedMessage[] {
    const taken = this.items.splice(0, max);
    for (const message of taken) this.queuedBytes -= sizeOf(message);
    return taken;
  }

  putBack(messages: readonly QueuedMessage[]): void {
    this.items = [...messages, ...this.items];
    for (const message of messages) this.queuedBytes += sizeOf(message);
  }
}

/** The memory a queued message holds: two bytes a UTF-16 unit, plus its other fields. */
const sizeOf = (message: QueuedMessage): number => message.record.length * 2 + 64;
