import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import type { IntelEvent } from '@soc/contracts';
import type { IntelEventContext } from '@soc/domain';
import type { AvroTopicCodec } from '@soc/kafka';
import type { AppMetrics } from '@soc/observability';
import { nextIntelSequence } from '@soc/intel';
import type { DataSource } from 'typeorm';

/** One event to write: where it goes and how to build it once its sequence is known. */
export interface OutgoingIntel {
  readonly tenantId: string;
  readonly streamId: string;
  /** The alert's partition, so the event is co-partitioned with alerts and incidents. */
  readonly partition: number;
  readonly alertIds: readonly string[];
  readonly build: (context: IntelEventContext) => IntelEvent;
}

/**
 * Writes intel events to soc.intel.v1 keyed by tenant id, on the partition of the alert that
 * asked, with an idempotent producer (a retried send is not duplicated). Sequences are taken
 * from PostgreSQL in order, then the whole batch goes in one send.
 */
export class IntelPublisher {
  constructor(
    private readonly options: {
      readonly producer: Producer;
      readonly codec: AvroTopicCodec<IntelEvent>;
      readonly topic: string;
      readonly db: DataSource;
      readonly metrics: AppMetrics;
    },
  ) {}

  async publish(outgoing: readonly OutgoingIntel[]): Promise<IntelEvent[]> {
    if (outgoing.length === 0) return [];
    const { producer, codec, topic, db, metrics } = this.options;
    const events: { event: IntelEvent; partition: number }[] = [];
    for (const item of outgoing) {
      const sequence = await nextIntelSequence(db, item.tenantId, item.streamId);
      const event = item.build({
        eventId: randomUUID(),
        tenantId: item.tenantId,
        sequence,
        alertIds: item.alertIds,
      });
      events.push({ event, partition: item.partition });
    }
    await producer.send({
      topic,
      acks: -1,
      messages: events.map(({ event, partition }) => ({
        key: event.tenantId,
        partition,
        value: codec.encode(event),
      })),
    });
    metrics.messagesOut.inc({ topic }, events.length);
    return events.map(({ event }) => event);
  }
}
