// Helpers for the correlator's integration specs: partitioning alerts the way the producers do,
// producing them Avro-framed, reading a topic to its end (read committed), waiting for the
// consumer group to catch up, reducing incident events to what correlation decided, and
// running correlators as child processes (killed, if need be, with a transaction open).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import {
  AssignerProtocol,
  Partitioners,
  type IHeaders,
  type Kafka,
  type PartitionMetadata,
  type Producer,
} from 'kafkajs';
import type { CanonicalAlert, IncidentEvent } from '@soc/contracts';
import {
  correlateAll,
  deterministicIds,
  incidentAvroMapping,
  type CorrelationConfig,
} from '@soc/domain';
import { AvroTopicCodec, readSchemaFile } from '@soc/kafka';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { openDataSource } from '@soc/persistence';
import {
  createSpecDatabase,
  uniqueName,
  waitFor,
  type SpecDatabase,
  type TestInfra,
} from '@soc/testing';

const REPO_ROOT = join(__dirname, '..', '..', '..');

/** The correlator's alert and incident codecs on a spec's own topics. */
export async function registerCodecs(
  registry: SchemaRegistry,
  topics: { readonly alerts: string; readonly incidents: string },
): Promise<{
  readonly alertCodec: AvroTopicCodec<CanonicalAlert>;
  readonly incidentCodec: AvroTopicCodec<IncidentEvent>;
}> {
  return {
    alertCodec: await AvroTopicCodec.register<CanonicalAlert>(
      registry,
      topics.alerts,
      readSchemaFile('alerts'),
    ),
    incidentCodec: await AvroTopicCodec.register<IncidentEvent>(
      registry,
      topics.incidents,
      readSchemaFile('incidents'),
      incidentAvroMapping,
    ),
  };
}

/** A spec database with the schema: the correlator reads public.assets but does not migrate. */
export async function createMigratedSpecDatabase(name: string): Promise<SpecDatabase> {
  const database = await createSpecDatabase(name);
  const dataSource = await openDataSource(
    { url: database.url, applicationName: 'correlator-spec' },
    { migrate: true },
  );
  await dataSource.destroy();
  return database;
}

/** An idempotent producer partitioning as ingest does (see produceAlerts), connected. */
export async function connectAlertProducer(kafka: Kafka): Promise<Producer> {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return producer;
}

/** The correlator's environment with topics and a consumer group named after `name`. */
export function correlatorEnv(
  infra: TestInfra,
  databaseUrl: string,
  name: string,
  partitions: number,
): Record<string, string> {
  return {
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
    DATABASE_URL: databaseUrl,
    TOPIC_PARTITIONS: String(partitions),
    CORRELATOR_HTTP_PORT: '0',
    CORRELATOR_GROUP_ID: name,
    ALERTS_TOPIC: `${name}.alerts`,
    INCIDENTS_TOPIC: `${name}.incidents`,
    ALERTS_DLQ_TOPIC: `${name}.alerts.dlq`,
  };
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

export interface ConsumedRecord {
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders;
}

/**
 * Every committed record of `topic` up to the end each partition has now (read committed
 * unless asked otherwise). The end is detected from batch offsets, which also count
 * transaction markers.
 */
export async function readTopicToEnd(
  kafka: Kafka,
  topic: string,
  {
    timeoutMs = 60_000,
    readUncommitted = false,
  }: { readonly timeoutMs?: number; readonly readUncommitted?: boolean } = {},
): Promise<ConsumedRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    for (const o of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(o.high) > BigInt(o.low)) ends.set(o.partition, BigInt(o.high));
    }
  } finally {
    await admin.disconnect();
  }
  if (ends.size === 0) return [];
  const records: ConsumedRecord[] = [];
  const reached = new Set<number>();
  const consumer = kafka.consumer({
    groupId: uniqueName('spec-reader'),
    readUncommitted,
    maxWaitTimeInMs: 100,
  });
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const end = ends.get(payload.partition);
    if (payload.topic === topic && end !== undefined && BigInt(payload.lastOffset) + 1n >= end)
      reached.add(payload.partition);
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          records.push({
            partition: batch.partition,
            offset: message.offset,
            key: message.key,
            value: message.value,
            headers: message.headers ?? {},
          });
        }
      },
    });
    await waitFor(() => reached.size === ends.size, {
      timeoutMs,
      describe: `${topic} read to its end (${ends.size} partitions)`,
    });
  } finally {
    await consumer.disconnect();
  }
  return records.sort(
    (a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)),
  );
}

/** The group's committed offsets and the topic's end offsets, per partition. */
export async function groupLag(
  kafka: Kafka,
  groupId: string,
  topic: string,
): Promise<Map<number, { committed: bigint; end: bigint }>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const lag = new Map<number, { committed: bigint; end: bigint }>();
    for (const end of ends) {
      const offset =
        committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
      lag.set(end.partition, { committed: BigInt(offset), end: BigInt(end.high) });
    }
    return lag;
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until the group has committed every record now in `topic`. The correlator commits its
 * offsets in the transaction that writes its outputs, so then every output is committed too.
 */
export async function waitForGroupCaughtUp(
  kafka: Kafka,
  groupId: string,
  topic: string,
  timeoutMs: number,
): Promise<void> {
  let last = '';
  await waitFor(
    async () => {
      const lag = await groupLag(kafka, groupId, topic);
      last = [...lag].map(([p, { committed, end }]) => `p${p} ${committed}/${end}`).join(', ');
      return [...lag.values()].every(({ committed, end }) => end === 0n || committed === end);
    },
    { timeoutMs, intervalMs: 250, describe: `group ${groupId} to commit all of ${topic}` },
  ).catch((error: unknown) => {
    throw new Error(`${error instanceof Error ? error.message : String(error)} (last: ${last})`);
  });
}

export interface GroupMember {
  readonly memberId: string;
  readonly partitions: readonly number[];
}

/** The group's state and which partitions of `topic` each member holds. */
export async function groupMembers(
  kafka: Kafka,
  groupId: string,
  topic: string,
): Promise<{ state: string; members: GroupMember[] }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    const group = groups[0];
    const members = (group?.members ?? []).map((member) => ({
      memberId: member.memberId,
      partitions: [
        ...(AssignerProtocol.MemberAssignment.decode(member.memberAssignment)?.assignment[topic] ??
          []),
      ].sort((a, b) => a - b),
    }));
    return { state: group?.state ?? 'Unknown', members };
  } finally {
    await admin.disconnect();
  }
}

export interface DecodedIncident {
  readonly partition: number;
  readonly key: string | null;
  readonly eventTypeHeader: string | undefined;
  readonly event: IncidentEvent;
}

export async function decodeIncidents(
  records: readonly ConsumedRecord[],
  codec: AvroTopicCodec<IncidentEvent>,
): Promise<DecodedIncident[]> {
  const decoded: DecodedIncident[] = [];
  for (const record of records) {
    decoded.push({
      partition: record.partition,
      key: record.key?.toString() ?? null,
      eventTypeHeader: record.headers['event-type']?.toString(),
      event: await codec.decode(record.value),
    });
  }
  return decoded;
}

/** What correlation decided, independent of batching: which alerts ended up together. */
export interface Grouping {
  /** `<surviving incident id>: <alert ids, sorted>`, sorted; merges folded into their survivor. */
  readonly incidents: readonly string[];
  /** Alerts suppressed before any incident existed, sorted. */
  readonly suppressed: readonly string[];
  /** How many times each alert id was placed (opened, attached, counted, suppressed, dropped late). */
  readonly placements: ReadonlyMap<string, number>;
}

/**
 * Reduces incident events to their grouping. Repeats are counted at flushes, which fall on
 * batch boundaries in the service and on event-time ticks offline, so a repeat may be counted
 * on an incident just before it is merged or on its survivor just after: folding merges makes
 * the grouping independent of where the flushes fell.
 */
export function groupingOf(events: readonly IncidentEvent[]): Grouping {
  const alertsOf = new Map<string, string[]>();
  const survivorOf = new Map<string, string>();
  const suppressed: string[] = [];
  const placements = new Map<string, number>();
  const place = (incidentId: string | null, alertId: string): void => {
    placements.set(alertId, (placements.get(alertId) ?? 0) + 1);
    if (incidentId === null) {
      suppressed.push(alertId);
      return;
    }
    const list = alertsOf.get(incidentId) ?? [];
    list.push(alertId);
    alertsOf.set(incidentId, list);
  };
  for (const event of events) {
    switch (event.type) {
      case 'IncidentOpened':
        place(event.data.incidentId, event.data.firstAlert.alertId);
        break;
      case 'AlertAttached':
        place(event.data.incidentId, event.data.alert.alertId);
        break;
      case 'AlertRepeatsCounted':
        for (const alertId of event.data.alertIds) place(event.data.incidentId, alertId);
        break;
      case 'AlertSuppressed':
        place(event.data.incidentId, event.data.alert.alertId);
        break;
      case 'LateAlertHandled':
        // The other outcomes come with the IncidentOpened or AlertAttached that places the alert.
        if (event.data.outcome === 'dropped-window-closed')
          place(event.data.incidentId, event.data.alert.alertId);
        break;
      case 'IncidentsMerged':
        survivorOf.set(event.data.absorbedIncidentId, event.data.incidentId);
        break;
      case 'IncidentMergedInto':
      case 'IncidentScored':
      case 'IncidentEscalated':
      case 'CampaignLinked':
      case 'IncidentClosed':
      case 'IncidentReopened':
        break;
      default: {
        const unreachable: never = event;
        throw new Error(`unexpected incident event ${JSON.stringify(unreachable)}`);
      }
    }
  }
  const rootOf = (incidentId: string): string => {
    let root = incidentId;
    for (let next = survivorOf.get(root); next !== undefined; next = survivorOf.get(root))
      root = next;
    return root;
  };
  const folded = new Map<string, string[]>();
  for (const [incidentId, alertIds] of alertsOf) {
    const root = rootOf(incidentId);
    folded.set(root, [...(folded.get(root) ?? []), ...alertIds]);
  }
  return {
    incidents: [...folded]
      .map(([root, alertIds]) => `${root}: ${alertIds.sort().join(' ')}`)
      .sort(),
    suppressed: suppressed.sort(),
    placements,
  };
}

/** The pure correlator over each partition's alerts in their partition order. */
export function expectedEvents(
  byPartition: ReadonlyMap<number, readonly CanonicalAlert[]>,
  config: CorrelationConfig,
): IncidentEvent[] {
  const events: IncidentEvent[] = [];
  for (const alerts of byPartition.values())
    events.push(...correlateAll(alerts, config, deterministicIds()).events);
  return events;
}

/** Problems with the envelope: duplicate event ids, and streams whose sequences are not 1..n. */
export function envelopeProblems(events: readonly IncidentEvent[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const sequences = new Map<string, number[]>();
  for (const event of events) {
    if (seen.has(event.eventId)) problems.push(`duplicate eventId ${event.eventId}`);
    seen.add(event.eventId);
    const list = sequences.get(event.streamId) ?? [];
    list.push(event.sequence);
    sequences.set(event.streamId, list);
  }
  for (const [streamId, list] of sequences) {
    const sorted = [...list].sort((a, b) => a - b);
    if (sorted.some((sequence, i) => sequence !== i + 1)) {
      problems.push(`stream ${streamId} has sequences ${sorted.join(',')}`);
    }
  }
  return problems;
}

/** A correlator run the way production runs it, as a child process with its own environment. */
export interface CorrelatorProcess {
  readonly name: string;
  /** Parsed JSON log lines so far. */
  readonly logs: () => readonly Record<string, unknown>[];
  readonly output: () => string;
  readonly exited: () => boolean;
  readonly kill: (signal: NodeJS.Signals) => Promise<void>;
  /** Sends a signal without waiting for an exit (SIGSTOP, SIGCONT). */
  readonly signal: (signal: NodeJS.Signals) => void;
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  readonly stop: (graceMs?: number) => Promise<void>;
}

export function startCorrelatorProcess(
  name: string,
  env: Readonly<Record<string, string>>,
): CorrelatorProcess {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '-r',
      join(REPO_ROOT, 'tools', 'register.cjs'),
      join(REPO_ROOT, 'apps', 'correlator', 'src', 'main.ts'),
    ],
    { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const logs: Record<string, unknown>[] = [];
  const text: string[] = [];
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text.push(chunk.toString());
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // Not a log line (a stack trace, a warning from node): kept in the output only.
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => text.push(chunk.toString()));
  let exitCode: number | null | undefined;
  // 'close', not 'exit': it comes after the output pipes are drained, so the last lines are in.
  const exit = new Promise<void>((resolve) =>
    child.once('close', (code, signal) => {
      exitCode = code;
      text.push(`\n[${name} exited with ${signal ?? `code ${code}`}]\n`);
      resolve();
    }),
  );
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    if (exitCode !== undefined) return;
    child.kill(signal);
    await exit;
  };
  return {
    name,
    logs: () => logs,
    output: () => text.join('').slice(-20_000),
    exited: () => exitCode !== undefined,
    kill,
    signal: (signal) => {
      if (exitCode === undefined) child.kill(signal);
    },
    stop: async (graceMs = 10_000) => {
      const escalate = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await kill('SIGTERM');
      clearTimeout(escalate);
    },
  };
}

/** Waits for a log line with `msg`, failing early with the output when the process exited. */
export async function waitForLog(
  instance: CorrelatorProcess,
  msg: string,
  timeoutMs: number,
  matches: (line: Record<string, unknown>) => boolean = () => true,
): Promise<Record<string, unknown>> {
  const found = await waitFor(
    () =>
      instance.logs().find((l) => l['msg'] === msg && matches(l)) ??
      (instance.exited() ? 'exited' : undefined),
    { timeoutMs, intervalMs: 100, describe: `${instance.name} to log '${msg}'` },
  );
  if (found === 'exited') throw new Error(`${instance.name} exited:\n${instance.output()}`);
  return found;
}

/** Runs `task`; when it fails, the error also carries the tail of each process's output. */
export async function withOutputOf<T>(
  instances: readonly CorrelatorProcess[],
  task: () => Promise<T>,
): Promise<T> {
  try {
    return await task();
  } catch (error) {
    const outputs = instances
      .map((instance) => `--- ${instance.name} ---\n${instance.output().slice(-4_000)}`)
      .join('\n');
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${outputs}`);
  }
}

export interface MidTransactionKill {
  /** Produce steps it took until the victim was caught with a transaction open. */
  readonly attempts: number;
  /** The first record of the open transaction the victim died with, or undefined if never caught. */
  readonly open: { readonly partition: number; readonly offset: string } | undefined;
}

/**
 * SIGKILLs `victim` while it has a transaction open on `topic` (one of `partitions`): a
 * read-uncommitted consumer freezes the victim (SIGSTOP) the moment one of its records appears,
 * then the transaction is checked still open (the last stable offset has not passed the record)
 * before the kill; otherwise the victim resumes and the next `step` produces more work. Without
 * a catch after the last step, the victim is killed anyway and `open` is undefined.
 */
export async function killMidTransaction(
  kafka: Kafka,
  victim: CorrelatorProcess,
  topic: string,
  partitions: readonly number[],
  steps: readonly (() => Promise<void>)[],
  settled: () => Promise<boolean>,
): Promise<MidTransactionKill> {
  let armed = false;
  let caught: { partition: number; offset: string } | undefined;
  const tail = kafka.consumer({
    groupId: uniqueName('spec-tail'),
    readUncommitted: true,
    maxWaitTimeInMs: 10,
  });
  let joined = false;
  tail.on(tail.events.GROUP_JOIN, () => {
    joined = true;
  });
  await tail.connect();
  const admin = kafka.admin();
  await admin.connect();
  try {
    await tail.subscribe({ topic, fromBeginning: false });
    await tail.run({
      eachBatch: async ({ batch }) => {
        const first = batch.messages[0];
        if (!armed || first === undefined || !partitions.includes(batch.partition)) return;
        victim.signal('SIGSTOP');
        armed = false;
        caught = { partition: batch.partition, offset: first.offset };
      },
    });
    await waitFor(() => joined, {
      timeoutMs: 30_000,
      describe: 'the read-uncommitted tail to join',
    });
    for (const [index, step] of steps.entries()) {
      caught = undefined;
      armed = true;
      await step();
      await waitFor(async () => caught !== undefined || (await settled()), {
        timeoutMs: 30_000,
        describe: `the victim to write or settle step ${index + 1}`,
      });
      armed = false;
      const open = caught as { partition: number; offset: string } | undefined;
      if (open === undefined) continue;
      // Frozen now: the transaction is open when the last stable offset is not past its record.
      const stable = (await admin.fetchTopicOffsets(topic)).find(
        (o) => o.partition === open.partition,
      );
      if (stable !== undefined && BigInt(stable.high) <= BigInt(open.offset)) {
        await victim.kill('SIGKILL');
        return { attempts: index + 1, open };
      }
      victim.signal('SIGCONT');
    }
    await victim.kill('SIGKILL');
    return { attempts: steps.length, open: undefined };
  } finally {
    armed = false;
    await admin.disconnect();
    await tail.disconnect();
  }
}
