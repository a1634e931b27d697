/**
 * Fills a fresh topic with generated incident events (the pure correlator over generated
 * alerts, Avro as the correlator writes them) and runs the projector over it into a fresh
 * database: the projector bench, and the way the API bench gets a populated read model.
 */
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import type { IncidentEvent } from '@soc/contracts';
import {
  correlateAll,
  defaultCorrelationConfig,
  deterministicIds,
  generateTraffic,
} from '@soc/domain';
import {
  AvroTopicCodec,
  createSchemaRegistry,
  ensureTopics,
  incidentAvroMapping,
  readSchemaFile,
  retryKafkaStartUp,
} from '@soc/kafka';
import {
  cpuSeconds,
  freshDatabase,
  peakRssMb,
  round1,
  sleep,
  startService,
  type BenchEnv,
  type FreshDatabase,
  type Service,
} from './support';

export interface ProjectorRunParams {
  readonly events: number;
  readonly tenants: number;
  readonly partitions: number;
  readonly seed: string;
  readonly id: string;
  /** Leave the projector running and the database in place (the API bench reads it). */
  readonly keep?: boolean;
  readonly nodeArgs?: readonly string[];
}

export interface ProjectorRun {
  readonly figures: Record<string, unknown>;
  readonly database: FreshDatabase;
  readonly projector: Service | null;
  readonly tenantIds: readonly string[];
  /** Drops the database, the topics and the group of the run (done already unless `keep`). */
  readonly cleanup: () => Promise<void>;
}

/** Generated incident events, at least `wanted` when the traffic allows, cut at `wanted`. */
function generatedEvents(
  wanted: number,
  tenants: number,
  seed: string,
): { events: IncidentEvent[]; alerts: number } {
  // Roughly one event per alert or more; grow the traffic until there are enough.
  for (let alertCount = Math.max(100, Math.ceil(wanted * 0.8)); ; alertCount *= 2) {
    const alerts = [...generateTraffic({ seed, tenants, alertCount, ratePerSecond: 200 })].map(
      (labeled) => labeled.alert,
    );
    const { events } = correlateAll(alerts, defaultCorrelationConfig(), deterministicIds());
    if (events.length >= wanted || alertCount > wanted * 8)
      return { events: events.slice(0, wanted), alerts: alertCount };
  }
}

export async function runProjectorBench(
  env: BenchEnv,
  params: ProjectorRunParams,
): Promise<ProjectorRun> {
  const topic = `${params.id}.incidents`;
  const kafka = new Kafka({
    clientId: params.id,
    brokers: env.kafkaBrokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  const retry = { describe: 'bench set-up' };
  await retryKafkaStartUp(() => admin.connect(), retry);
  const specs = [{ topic, numPartitions: params.partitions }];
  await retryKafkaStartUp(() => ensureTopics(admin, specs), retry);

  const generateStarted = Date.now();
  const { events, alerts } = generatedEvents(params.events, params.tenants, params.seed);
  const tenantIds = [...new Set(events.map((event) => event.tenantId))];
  const codec = await AvroTopicCodec.register<IncidentEvent>(
    createSchemaRegistry(env.schemaRegistryUrl),
    topic,
    readSchemaFile('incidents'),
    incidentAvroMapping,
  );
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await retryKafkaStartUp(() => producer.connect(), retry);
  const BATCH = 2_000;
  for (let i = 0; i < events.length; i += BATCH) {
    const messages = events
      .slice(i, i + BATCH)
      .map((event) => ({ key: event.tenantId, value: codec.encode(event) }));
    await producer.send({ topic, acks: -1, messages });
  }
  await producer.disconnect();
  const produceSeconds = (Date.now() - generateStarted) / 1000;
  const ends = await retryKafkaStartUp(() => admin.fetchTopicOffsets(topic), retry);
  const total = ends.reduce((sum, p) => sum + Number(p.high), 0);
  await admin.disconnect();

  const database = await freshDatabase(env.databaseUrl, params.id);
  const started = Date.now();
  const projector = await startService({
    name: 'projector',
    env: {
      KAFKA_BROKERS: env.kafkaBrokers,
      SCHEMA_REGISTRY_URL: env.schemaRegistryUrl,
      DATABASE_URL: database.url,
      ...database.serviceEnv,
      TOPIC_PARTITIONS: String(params.partitions),
      PROJECTOR_INCIDENTS_TOPIC: topic,
      PROJECTOR_FEEDBACK_TOPIC: `${params.id}.feedback`,
      PROJECTOR_GROUP_ID: params.id,
    },
    portVariable: 'PROJECTOR_HTTP_PORT',
    nodeArgs: params.nodeArgs ?? [],
  });
  const healthyAt = Date.now();
  const cpuAtHealthy = cpuSeconds(projector.pid);

  // The projector's own checkpoints (rows and checkpoint commit together) say how far it is.
  const db = new Client({ connectionString: database.url });
  await db.connect();
  let firstProgressAt: number | null = null;
  let done = 0;
  let doneAt = Date.now();
  const deadline = Date.now() + Math.max(120_000, total * 2);
  while (Date.now() < deadline) {
    const { rows } = await db.query<{ done: string | null }>(
      'SELECT sum(next_offset) AS done FROM read_model.projection_checkpoints WHERE topic = $1',
      [topic],
    );
    const now = Date.now();
    const current = Number(rows[0]?.done ?? 0);
    if (current > 0 && firstProgressAt === null) firstProgressAt = now;
    if (current !== done) doneAt = now;
    done = current;
    if (done >= total) break;
    await sleep(50);
  }
  const cpu = cpuSeconds(projector.pid) - cpuAtHealthy;
  const { rows: counts } = await db.query<{ incidents: string; alerts: string }>(
    `SELECT (SELECT count(*) FROM read_model.incidents) AS incidents, (SELECT count(*) FROM read_model.incident_alerts) AS alerts`,
  );
  await db.end();
  const rss = peakRssMb(projector.pid);
  if (!params.keep) await projector.stop();

  const seconds = (doneAt - healthyAt) / 1000;
  const figures = {
    events: total,
    fromAlerts: alerts,
    tenants: tenantIds.length,
    partitions: params.partitions,
    projected: done,
    complete: done >= total,
    generateAndProduceSeconds: round1(produceSeconds),
    startupSeconds: round1((healthyAt - started) / 1000),
    // From /health to the last checkpoint; the first fetch and group join are included.
    seconds: Math.round(seconds * 1000) / 1000,
    eventsPerSecond: Math.round(done / Math.max(0.001, seconds)),
    // From the first committed checkpoint: the steady rate without the group join.
    eventsPerSecondAfterFirstCommit:
      firstProgressAt === null || doneAt <= firstProgressAt
        ? null
        : Math.round(done / ((doneAt - firstProgressAt) / 1000)),
    projectorCpuSeconds: round1(cpu),
    eventsPerCpuSecond: cpu > 0 ? Math.round(done / cpu) : null,
    projectorPeakRssMB: rss,
    rows: {
      incidents: Number(counts[0]?.incidents ?? 0),
      incidentAlerts: Number(counts[0]?.alerts ?? 0),
    },
  };
  const cleanup = async (): Promise<void> => {
    await database.drop();
    const admin = kafka.admin();
    await admin.connect();
    const ours = (await admin.listTopics()).filter((name) => name.startsWith(`${params.id}.`));
    await admin.deleteTopics({ topics: ours }).catch(() => undefined);
    await admin.deleteGroups([params.id]).catch(() => undefined);
    await admin.disconnect();
  };
  if (!params.keep) await cleanup();
  return { figures, database, projector: params.keep ? projector : null, tenantIds, cleanup };
}
