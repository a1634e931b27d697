import type { Kafka, Transaction } from 'kafkajs';
import { readPartitionToEnd } from '@soc/kafka';

/**
 * Which messages have been produced, on a compacted topic written in the same Kafka
 * transaction as their records: a message whose key is here was produced, and only still
 * needs moving. Keys are `<user>@<host>/<mailbox>/<UIDVALIDITY>/<UID>`, so a renumbered
 * mailbox (new UIDVALIDITY) is read again rather than skipped. Once a message has been moved
 * its key is deleted (a tombstone), which keeps the set to the messages in flight.
 */
const LOAD_ATTEMPTS = 8;

export class CheckpointLog {
  private readonly produced = new Set<string>();

  constructor(
    private readonly kafka: Kafka,
    readonly topic: string,
  ) {}

  /**
   * Reads the whole log. A topic created a moment ago may answer "not the leader" while the
   * broker's metadata settles, so retriable errors are retried a few times.
   */
  async load(): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        this.produced.clear();
        await this.readAll();
        return;
      } catch (error) {
        if (!(error as { retriable?: boolean }).retriable || attempt >= LOAD_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
      }
    }
  }

  private async readAll(): Promise<void> {
    await readPartitionToEnd(this.kafka, this.topic, 0, (messages) => {
      for (const message of messages) {
        const key = message.key?.toString('utf8');
        if (!key) continue;
        if (message.value === null) this.produced.delete(key);
        else this.produced.add(key);
      }
    });
  }

  has(key: string): boolean {
    return this.produced.has(key);
  }

  keys(): string[] {
    return [...this.produced];
  }

  get size(): number {
    return this.produced.size;
  }

  async record(
    transaction: Transaction,
    key: string,
    entry: {
      readonly messageId: string | null;
      readonly records: number;
      readonly outcome: string;
    },
  ): Promise<void> {
    await transaction.send({
      topic: this.topic,
      messages: [{ key, value: JSON.stringify({ ...entry, at: new Date().toISOString() }) }],
    });
  }

  /** After the transaction committed. */
  markProduced(key: string): void {
    this.produced.add(key);
  }

  async forget(transaction: Transaction, key: string): Promise<void> {
    await transaction.send({ topic: this.topic, messages: [{ key, value: null }] });
  }

  markForgotten(key: string): void {
    this.produced.delete(key);
  }
}
