import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

const VERSION = 0;

/**
 * Assigns partition number p of every subscribed topic to the same member (partition numbers
 * round-robin over the sorted member ids). For topics that are co-partitioned (same key, same
 * partition count, written to the same partition number), so that one owner, one state and one
 * transactional producer handle all of partition p; kafkajs's round-robin assigner spreads a
 * topic's partitions regardless of the others'.
 */
export const coPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: 'CoPartitionedAssigner',
  version: VERSION,
  async assign({ members, topics }) {
    const memberIds = members.map(({ memberId }) => memberId).sort();
    const partitionsOf = new Map<string, number[]>();
    const numbers = new Set<number>();
    for (const topic of topics) {
      const partitions = cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId);
      partitionsOf.set(topic, partitions);
      for (const partition of partitions) numbers.add(partition);
    }
    const ownerOf = new Map<number, string>();
    [...numbers]
      .sort((a, b) => a - b)
      .forEach((partition, i) => {
        ownerOf.set(partition, memberIds[i % memberIds.length] as string);
      });
    return memberIds.map((memberId) => {
      const assignment: Record<string, number[]> = {};
      for (const [topic, partitions] of partitionsOf)
        assignment[topic] = partitions.filter((partition) => ownerOf.get(partition) === memberId);
      return {
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: VERSION,
          assignment,
          userData: Buffer.alloc(0),
        }),
      };
    });
  },
  protocol({ topics }) {
    return {
      name: 'CoPartitionedAssigner',
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: VERSION,
        topics,
        userData: Buffer.alloc(0),
      }),
    };
  },
});
