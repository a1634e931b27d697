// Partitioning alerts the way the producers do (kafkajs's default partitioner, keyed by tenant),
// and producing them Avro-framed, so a spec knows each partition's order.
import { Partitioners, type Kafka, type PartitionMetadata, type Producer } from 'kafkajs';
import type { CanonicalAlert } from '@soc/contracts';
import type { AvroTopicCodec } from '@soc/kafka';

/** An idempotent producer with the default partitioner (the one ingest uses), connected. */
export async function connectIdempotentProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return producer;
}

/** The partition kafkajs's default partitioner (the one ingest uses) gives a key. */
export function partitionOfKey(key: string, partitions: number): number {
  const metadata: PartitionMetadata[] = Array.from({ length: partitions }, (_, partitionId) => ({
    partitionErrorCode: 0,
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
  }));
  return Partitioners.DefaultPartitioner()({
    topic: 'any',
    partitionMetadata: metadata,
    message: { key, value: null },
  });
}

/** `perPartition` tenant ids for every partition, so that each partition gets work. */
export function tenantsCoveringPartitions(
  partitions: number,
  perPartition: number,
  prefix = 'tenant',
): string[] {
  const byPartition = Array.from({ length: partitions }, () => [] as string[]);
  for (let n = 1; byPartition.some((tenants) => tenants.length < perPartition); n += 1) {
    const tenant = `${prefix}-${String(n).padStart(3, '0')}`;
    const own = byPartition[partitionOfKey(tenant, partitions)] as string[];
    if (own.length < perPartition) own.push(tenant);
  }
  return byPartition.flat();
}

/** Alerts grouped by the partition their tenant key lands on, in production order. */
export function alertsByPartition(
  alerts: readonly CanonicalAlert[],
  partitions: number,
): Map<number, CanonicalAlert[]> {
  const byPartition = new Map<number, CanonicalAlert[]>();
  for (const alert of alerts) {
    const partition = partitionOfKey(alert.tenantId, partitions);
    const list = byPartition.get(partition) ?? [];
    list.push(alert);
    byPartition.set(partition, list);
  }
  return byPartition;
}

/**
 * Sends alerts keyed by tenant, in order, to the partition the default partitioner picks (set
 * explicitly so the spec knows each partition's order). The producer must be idempotent, so
 * a retried send cannot duplicate an alert.
 */
export async function produceAlerts(
  producer: Producer,
  topic: string,
  codec: AvroTopicCodec<CanonicalAlert>,
  alerts: readonly CanonicalAlert[],
  partitions: number,
  chunkSize = 250,
): Promise<void> {
  for (let start = 0; start < alerts.length; start += chunkSize) {
    await producer.send({
      topic,
      acks: -1,
      messages: alerts.slice(start, start + chunkSize).map((alert) => ({
        key: alert.tenantId,
        partition: partitionOfKey(alert.tenantId, partitions),
        value: codec.encode(alert),
      })),
    });
  }
}
