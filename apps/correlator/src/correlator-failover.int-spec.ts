import type { Kafka, Producer } from 'kafkajs';
import { generateLabeledAlerts } from '@soc/domain';
import { createSchemaRegistry } from '@soc/kafka';
import {
  alertsByPartition,
  connectIdempotentProducer,
  correlatorEnv,
  createMigratedSpecDatabase,
  decodeIncidents,
  envelopeProblems,
  expectedEvents,
  groupingOf,
  groupLag,
  groupMembers,
  infraFromEnv,
  partitionOfKey,
  produceAlerts,
  readTopicToEnd,
  tenantsCoveringPartitions,
  testKafka,
  uniqueName,
  waitFor,
  waitForGroupCaughtUp,
  registerCodecs,
  type SpecDatabase,
} from '@soc/testing';
import { spawnApp, type AppProcess } from '../../../test/support/app-process';
import { killMidTransaction, waitForLog, withOutputOf } from '../../../test/support/process-faults';
import { readCorrelatorConfig } from './correlator.config';

const PARTITIONS = 6;
const INSTANCES = 3;
const ALERTS = 4_200;
const SESSION_TIMEOUT_MS = 6_000;
const cut = (share: number): number => Math.round(ALERTS * share);

const infra = infraFromEnv();
const registry = createSchemaRegistry(infra.schemaRegistryUrl);

interface Recovery {
  readonly instance: string;
  readonly partition: number;
  readonly replayed: number;
  readonly ms: number;
  readonly at: number;
}

/** Every 'correlation state recovered' line of the instances, with who logged it and when. */
const recoveriesOf = (instances: readonly AppProcess[]): Recovery[] =>
  instances.flatMap((instance) =>
    instance
      .logs()
      .filter((line) => line['msg'] === 'correlation state recovered')
      .map((line) => ({
        instance: instance.name,
        partition: Number(line['partition']),
        replayed: Number(line['replayed']),
        ms: Number(line['ms']),
        at: Date.parse(String(line['time'])),
      })),
  );

describe('three correlators in one consumer group', () => {
  let database: SpecDatabase;
  let kafka: Kafka;
  let producer: Producer;
  const instances: AppProcess[] = [];

  beforeAll(async () => {
    database = await createMigratedSpecDatabase('correlator_failover');
    kafka = testKafka();
    producer = await connectIdempotentProducer(kafka);
  });

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await producer?.disconnect();
    await database?.drop();
  });

  const environmentOf = (groupId: string): Record<string, string> => ({
    ...correlatorEnv(infra, database.url, groupId, PARTITIONS),
    // A killed instance's partitions move after the session timeout: keep it short for the test.
    CORRELATOR_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
    CORRELATOR_HEARTBEAT_INTERVAL_MS: '500',
    LOG_LEVEL: 'info',
    // As deployed: jest's NODE_ENV=test would switch kafkajs to its test retry defaults.
    NODE_ENV: 'production',
  });

  /** Waits until the group is stable with `count` members, each holding partitions. */
  const waitForSharing = (groupId: string, members: readonly AppProcess[]): Promise<true> =>
    withOutputOf(members, () =>
      waitFor(
        async () => {
          const group = await groupMembers(
            kafka,
            groupId,
            readCorrelatorConfig(environmentOf(groupId)).topics.alerts,
          );
          return (
            group.state === 'Stable' &&
            group.members.length === members.length &&
            group.members.every((m) => m.partitions.length > 0)
          );
        },
        {
          timeoutMs: 60_000,
          intervalMs: 250,
          describe: `${members.length} correlators sharing the partitions`,
        },
      ),
    );

  /** Starts `count` instances at once (they race to create the topics and register the schemas). */
  const bootInstances = async (groupId: string, count: number): Promise<AppProcess[]> => {
    const env = environmentOf(groupId);
    const booted: AppProcess[] = [];
    for (let i = 0; i < count; i += 1)
      booted.push(await spawnApp({ name: 'correlator', label: `correlator-${i}`, env }));
    instances.push(...booted);
    await Promise.all(
      booted.map((instance) => waitForLog(instance, 'correlator running', 150_000)),
    );
    return booted;
  };

  /**
   * Reads the whole incident log and checks it: each event on its tenant's partition, no
   * duplicate event id, every stream numbered 1..n, every alert placed exactly once, and the
   * same incidents as the pure correlator over each partition's alerts. Returns the event count.
   */
  const expectExactlyOnce = async (
    config: ReturnType<typeof readCorrelatorConfig>,
    incidentCodec: Parameters<typeof decodeIncidents>[1],
    byPartition: ReturnType<typeof alertsByPartition>,
  ): Promise<number> => {
    const incidents = await decodeIncidents(
      await readTopicToEnd(kafka, config.topics.incidents),
      incidentCodec,
    );
    const events = incidents.map(({ event }) => event);
    for (const { partition, event } of incidents)
      expect(partition).toBe(partitionOfKey(event.tenantId, PARTITIONS));
    // No duplicate event id, and every stream numbered 1..n without a gap.
    expect(envelopeProblems(events)).toEqual([]);
    // Every alert placed exactly once: opened, attached, counted as a repeat or suppressed.
    const actual = groupingOf(events);
    expect([...actual.placements].filter(([, count]) => count !== 1)).toEqual([]);
    expect(actual.placements.size).toBe(ALERTS);
    // And the same incidents as the pure correlator over each partition's alerts.
    const expected = groupingOf(expectedEvents(byPartition, config.correlation));
    expect(actual.incidents).toEqual(expected.incidents);
    expect(actual.suppressed).toEqual(expected.suppressed);
    return incidents.length;
  };

  /** Produces alerts `from` to `to` (indexes) in chunks of 50. */
  const producerOf =
    (
      config: ReturnType<typeof readCorrelatorConfig>,
      codec: Parameters<typeof produceAlerts>[2],
      alerts: Parameters<typeof produceAlerts>[3],
    ) =>
    (from: number, to: number): Promise<void> =>
      produceAlerts(producer, config.topics.alerts, codec, alerts.slice(from, to), PARTITIONS, 50);

  /** Twelve tenants, two per partition, in realistic traffic. */
  const trafficOf = (seed: string) => {
    const alerts = generateLabeledAlerts({
      seed,
      tenants: tenantsCoveringPartitions(PARTITIONS, 2),
      alertCount: ALERTS,
      lateFraction: 0,
    }).map(({ alert }) => alert);
    const byPartition = alertsByPartition(alerts, PARTITIONS);
    expect(byPartition.size).toBe(PARTITIONS);
    return { alerts, byPartition };
  };

  it('loses, duplicates and reorders nothing when an instance is killed mid-stream and the others rebuild its state', async () => {
    const groupId = uniqueName('correlator-failover');
    const config = readCorrelatorConfig(environmentOf(groupId));
    await waitForSharing(groupId, await bootInstances(groupId, INSTANCES));
    const { alertCodec, incidentCodec } = await registerCodecs(registry, config.topics);

    const { alerts, byPartition } = trafficOf('correlator-failover');
    const produce = producerOf(config, alertCodec, alerts);

    // Wave 1: every instance correlates its partitions.
    await produce(0, cut(0.3));
    await withOutputOf(instances, () =>
      waitForGroupCaughtUp(kafka, groupId, config.topics.alerts, 60_000),
    );
    const owners = new Map<number, string>();
    for (const recovery of recoveriesOf(instances).sort((a, b) => a.at - b.at))
      owners.set(recovery.partition, recovery.instance);
    const victim = instances[0] as AppProcess;
    const victimPartitions = [...owners]
      .filter(([, owner]) => owner === victim.name)
      .map(([partition]) => partition);
    expect(victimPartitions.length).toBeGreaterThan(0);

    // Wave 2 in small steps, until the victim is caught with a transaction open: it dies right
    // there. A step catches it about one time in three (the window is a few round trips long),
    // so twenty steps practically always do.
    let produced = cut(0.3);
    const stepCount = 20;
    const stepSize = Math.round((cut(0.5) - cut(0.3)) / stepCount);
    const steps = Array.from({ length: stepCount }, () => async () => {
      const to = Math.min(produced + stepSize, cut(0.5));
      await produceAlerts(
        producer,
        config.topics.alerts,
        alertCodec,
        alerts.slice(produced, to),
        PARTITIONS,
        stepSize,
      );
      produced = to;
    });
    const victimSettled = async (): Promise<boolean> => {
      const lag = await groupLag(kafka, groupId, config.topics.alerts);
      return victimPartitions.every((p) => lag.get(p)?.committed === lag.get(p)?.end);
    };
    const kill = await killMidTransaction(
      kafka,
      victim,
      config.topics.incidents,
      victimPartitions,
      steps,
      victimSettled,
    );
    const killedAt = Date.now();
    expect(kill.open).toBeDefined();
    const lagAtKill = await groupLag(kafka, groupId, config.topics.alerts);
    const pendingAtKill = victimPartitions
      .map((p) => lagAtKill.get(p))
      .filter((lag) => lag !== undefined && lag.committed < lag.end);
    expect(pendingAtKill.length).toBeGreaterThan(0);

    // The rest of the stream while the survivors take over.
    await produce(produced, cut(0.7));
    await produce(cut(0.7), ALERTS);
    await withOutputOf(instances, () =>
      waitForGroupCaughtUp(kafka, groupId, config.topics.alerts, 120_000),
    );
    const caughtUpAt = Date.now();
    const survivors = instances.filter((instance) => instance !== victim);
    for (const survivor of survivors) expect(survivor.exited()).toBe(false);

    // The survivors rebuilt the victim's partitions from the incident topic.
    const takeovers = recoveriesOf(survivors).filter(
      (r) => r.at >= killedAt && victimPartitions.includes(r.partition),
    );
    expect(new Set(takeovers.map((r) => r.partition))).toEqual(new Set(victimPartitions));
    for (const takeover of takeovers) expect(takeover.replayed).toBeGreaterThan(0);

    const committed = await expectExactlyOnce(config, incidentCodec, byPartition);

    // The victim's open transaction was aborted, not committed: a read-uncommitted consumer
    // sees its records, which would have duplicated what the survivor wrote.
    const uncommitted = await readTopicToEnd(kafka, config.topics.incidents, {
      readUncommitted: true,
    });
    expect(uncommitted.length).toBeGreaterThan(committed);
    process.stdout.write(
      `[correlator failover] killed ${victim.name} (partitions ${victimPartitions.sort().join(',')}) ` +
        `with a transaction open on p${kill.open?.partition} (step ${kill.attempts}); caught up ` +
        `${caughtUpAt - killedAt} ms after the kill; recoveries: ` +
        takeovers
          .map((r) => `${r.instance} p${r.partition} replayed ${r.replayed} events in ${r.ms} ms`)
          .join('; ') +
        `; ${uncommitted.length - committed} incident records in aborted transactions\n`,
    );
  });

  // Three boots from sources and two rebalances: minutes on a loaded machine.
  it('loses and duplicates nothing when an instance is SIGKILLed while a joining instance rebalances the group', async () => {
    // The first spec's instances would only add load.
    await Promise.all(instances.splice(0).map((instance) => instance.stop()));
    const groupId = uniqueName('correlator-rebalance');
    const config = readCorrelatorConfig(environmentOf(groupId));
    const first = await bootInstances(groupId, 2);
    await waitForSharing(groupId, first);
    const { alertCodec, incidentCodec } = await registerCodecs(registry, config.topics);
    const { alerts, byPartition } = trafficOf('correlator-rebalance');
    const produce = producerOf(config, alertCodec, alerts);
    await produce(0, cut(0.4));
    await withOutputOf(first, () =>
      waitForGroupCaughtUp(kafka, groupId, config.topics.alerts, 60_000),
    );

    // Alerts keep coming while a third instance joins. The victim is frozen just before the
    // joiner's consumer starts (its asset inventory is loaded first), so it cannot rejoin: the
    // rebalance waits for its session to expire, and it is killed in the middle of it.
    const [victim, survivor] = first as [AppProcess, AppProcess];
    const producing = produce(cut(0.4), cut(0.7));
    const admin = kafka.admin();
    await admin.connect();
    let stateAtKill: string;
    try {
      const joiner = await spawnApp({
        name: 'correlator',
        label: 'correlator-2',
        env: environmentOf(groupId),
      });
      instances.push(joiner);
      await waitForLog(joiner, 'asset inventory loaded', 150_000);
      victim.signal('SIGSTOP');
      const stateOf = async () => (await admin.describeGroups([groupId])).groups[0]?.state;
      await withOutputOf(instances, () =>
        waitFor(async () => (await stateOf()) !== 'Stable', {
          timeoutMs: 60_000,
          intervalMs: 20,
          describe: `group ${groupId} to start rebalancing for the joining instance`,
        }),
      );
      stateAtKill = (await stateOf()) ?? 'Unknown';
      await victim.kill('SIGKILL');
      await producing;
      await waitForSharing(groupId, [survivor, joiner]);
    } finally {
      await admin.disconnect();
    }
    expect(['PreparingRebalance', 'CompletingRebalance']).toContain(stateAtKill);

    await produce(cut(0.7), ALERTS);
    await withOutputOf(instances, () =>
      waitForGroupCaughtUp(kafka, groupId, config.topics.alerts, 120_000),
    );
    for (const instance of instances)
      if (instance !== victim) expect(instance.exited()).toBe(false);
    const events = await expectExactlyOnce(config, incidentCodec, byPartition);
    process.stdout.write(
      `[correlator rebalance] killed ${victim.name} in ${stateAtKill}; ${ALERTS} alerts in, ` +
        `${events} incident events out\n`,
    );
  }, 300_000);
});
