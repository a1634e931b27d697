import type { Kafka } from 'kafkajs';
import { readPartitionToEnd } from '@soc/kafka';

/** The record a connector commits with every page it produces, keyed by `<tenant>/<id>`. */
export interface StoredCheckpoint {
  readonly connectorId: string;
  readonly tenantId: string;
  readonly type: string;
  readonly checkpoint: unknown;
  readonly committedAt: number;
}

/**
 * The latest committed checkpoint of one connector (by its key, `<tenant>/<id>`): the checkpoint topic (compacted, one
 * partition) read from its start to its end, read committed, so a checkpoint of a transaction
 * that never committed is never seen. Read after the connector's transactional producer has
 * connected, which aborts whatever transaction a crashed predecessor left open.
 */
export async function readCheckpoint(
  kafka: Kafka,
  topic: string,
  key: string,
): Promise<StoredCheckpoint | undefined> {
  let latest: StoredCheckpoint | undefined;
  await readPartitionToEnd(kafka, topic, 0, (messages) => {
    for (const message of messages) {
      if (message.key?.toString() !== key) continue;
      if (message.value === null) {
        latest = undefined;
        continue;
      }
      try {
        latest = JSON.parse(message.value.toString()) as StoredCheckpoint;
      } catch {
        // Not ours to repair: a malformed checkpoint is skipped and the previous one stands.
      }
    }
  });
  return latest;
}
