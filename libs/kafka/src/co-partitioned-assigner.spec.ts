import { AssignerProtocol, type Cluster } from 'kafkajs';
import pino from 'pino';
import { coPartitionedAssigner } from './co-partitioned-assigner';

const partitionCounts: Record<string, number> = { alerts: 6, intel: 6, other: 2 };
const cluster = {
  findTopicPartitionMetadata: (topic: string) =>
    Array.from({ length: partitionCounts[topic] ?? 0 }, (_, partitionId) => ({ partitionId })),
} as unknown as Cluster;

async function assignmentsOf(memberIds: string[], topics: string[]) {
  const assigner = coPartitionedAssigner({
    cluster,
    groupId: 'g',
    logger: pino({ level: 'silent' }) as never,
  });
  const members = memberIds.map((memberId) => ({ memberId, memberMetadata: Buffer.alloc(0) }));
  const result = await assigner.assign({ members, topics });
  return new Map(
    result.map(({ memberId, memberAssignment }) => [
      memberId,
      AssignerProtocol.MemberAssignment.decode(memberAssignment)?.assignment ?? {},
    ]),
  );
}

describe('coPartitionedAssigner', () => {
  it('gives partition p of every topic to one member, spreading partition numbers over the members', async () => {
    const assignments = await assignmentsOf(['m-b', 'm-a', 'm-c'], ['alerts', 'intel']);
    expect(assignments.get('m-a')).toEqual({ alerts: [0, 3], intel: [0, 3] });
    expect(assignments.get('m-b')).toEqual({ alerts: [1, 4], intel: [1, 4] });
    expect(assignments.get('m-c')).toEqual({ alerts: [2, 5], intel: [2, 5] });
  });

  it('assigns every partition of every topic exactly once, also when partition counts differ', async () => {
    const assignments = await assignmentsOf(['m-1', 'm-2', 'm-3', 'm-4'], ['alerts', 'other']);
    const owned = [...assignments.values()].flatMap((assignment) =>
      Object.entries(assignment).flatMap(([topic, partitions]) =>
        partitions.map((p) => `${topic}:${p}`),
      ),
    );
    expect(owned.sort()).toEqual(
      [
        'alerts:0',
        'alerts:1',
        'alerts:2',
        'alerts:3',
        'alerts:4',
        'alerts:5',
        'other:0',
        'other:1',
      ].sort(),
    );
  });
});
