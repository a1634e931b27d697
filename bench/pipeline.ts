/**
 * The whole pipeline on the stack: ingest's raw-topic consumer, the correlator and the
 * projector as child processes on topics, groups and a database of this run's own; generated
 * canonical alerts (JSON) produced open-loop to the raw canonical topic at a fixed rate.
 * Measures alert -> first incident event naming it (read committed), alert -> row visible in
 * PostgreSQL (a sample), consumer lag each second, CPU and peak RSS per service, and the
 * sustained rate. Prints one JSON object.
 *
 *   npm run bench:pipeline -- [--rate 5000] [--duration 30] [--tenants 5] [--partitions 3] [--seed bench] [--smoke]
 *                             [--null | --compare-null] [--no-build]
 *
 * `--null` runs the same topology with each service's business step replaced by an identity
 * (SOC_BENCH_IDENTITY_STEPS, libs/config): ingest takes the canonical JSON as it is, the
 * correlator opens one incident per alert, the projector writes one alert row per event; the
 * Kafka transactions, Avro and row writes stay. Its sustained rate is the transport's ceiling
 * on this machine. `--compare-null` runs the null pipeline, then the real one, and prints both
 * and the real one's sustained rate as a share of the null one's.
 *
 * Ingest always writes `soc.alerts.v1` (its output topic is not configurable), so that topic
 * is shared with whatever else uses the stack: the correlator's group starts at its current
 * end, and its partition count wins over --partitions when it exists.
 *
 * The services run compiled (`npm run build` first, unless `--no-build`), as production starts them.
 */
import { performance } from 'node:perf_hooks';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { Client } from 'pg';
import { IDENTITY_STEPS_VARIABLE } from '@soc/config';
import { countedAlertIds, TOPICS, type IncidentEvent } from '@soc/contracts';
import { generateTraffic } from '@soc/domain';
import {
  AvroTopicCodec,
  createSchemaRegistry,
  ensureTopics,
  incidentAvroMapping,
  readSchemaFile,
  retryKafkaStartUp,
} from '@soc/kafka';
import {
  benchEnv,
  buildUnlessSkipped,
  cpuSeconds,
  freshDatabase,
  machine,
  numberFlag,
  peakRssMb,
  percentiles,
  readFlags,
  round1,
  runId,
  sleep,
  startService,
  type Service,
  runBench,
} from './support';

interface Prepared {
  readonly alertId: string;
  readonly tenantId: string;
  readonly value: string;
}

function prepare(seed: string, tenants: string[], count: number, rate: number): Prepared[] {
  const out: Prepared[] = [];
  for (const { alert } of generateTraffic({
    seed,
    tenants,
    alertCount: count,
    ratePerSecond: rate,
    startTime: Date.now(),
  })) {
    out.push({ alertId: alert.alertId, tenantId: alert.tenantId, value: JSON.stringify(alert) });
  }
  return out;
}

/** The alert ids an incident event names (the events that record an alert's fate). */
function alertIdsOf(event: IncidentEvent): readonly string[] {
  const data = event.data as {
    readonly firstAlert?: { readonly alertId: string };
    readonly alert?: { readonly alertId: string };
    readonly alertIds?: readonly string[];
  };
  switch (event.type) {
    case 'IncidentOpened':
      return data.firstAlert ? [data.firstAlert.alertId] : [];
    case 'AlertAttached':
    case 'AlertSuppressed':
    case 'LateAlertHandled':
      return data.alert ? [data.alert.alertId] : [];
    case 'AlertRepeatsCounted':
      return data.alertIds ?? [];
    case 'IncidentRepeatsCounted':
      return countedAlertIds(event.data);
    default:
      return [];
  }
}

async function groupLag(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [ends, committed] = await Promise.all([
    admin.fetchTopicOffsets(topic),
    admin.fetchOffsets({ groupId, topics: [topic] }),
  ]);
  const at = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  return ends.reduce(
    (lag, p) => lag + Math.max(0, Number(p.high) - Math.max(0, at.get(p.partition) ?? 0)),
    0,
  );
}

/** One run on topics, groups and a database of its own; returns its figures. */
async function runPipeline(
  flags: Map<string, string>,
  identitySteps: boolean,
): Promise<Record<string, unknown>> {
  const smoke = flags.has('smoke');
  const rate = numberFlag(flags, 'rate', smoke ? 200 : 5_000);
  const durationSeconds = numberFlag(flags, 'duration', smoke ? 3 : 30);
  const tenants = numberFlag(flags, 'tenants', 5);
  const seed = flags.get('seed') ?? 'bench';
  const id = runId('pipeline');
  const topics = {
    rawPrefix: `${id}.raw.`,
    raw: `${id}.raw.canonical`,
    alerts: TOPICS.alerts,
    incidents: `${id}.incidents`,
    alertsDeadLetter: `${id}.alerts.dlq`,
    feedback: `${id}.feedback`,
    tenantConfig: `${id}.tenant-config`,
  };
  const groups = {
    ingest: `${id}.ingest`,
    correlator: `${id}.correlator`,
    projector: `${id}.projector`,
    bench: `${id}.bench`,
  };

  const env = await benchEnv();
  const kafka = new Kafka({
    clientId: id,
    brokers: env.kafkaBrokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  // A fresh stack may still be electing leaders: every set-up call retries retriable errors.
  const retry = { describe: 'bench set-up' };
  await retryKafkaStartUp(() => admin.connect(), retry);
  const services: Service[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    let partitions = numberFlag(flags, 'partitions', 3);
    if ((await admin.listTopics()).includes(topics.alerts)) {
      const metadata = await admin.fetchTopicMetadata({ topics: [topics.alerts] });
      partitions = metadata.topics[0]?.partitions.length ?? partitions;
    }
    const coPartitioned = [topics.alerts, topics.raw, topics.incidents, topics.alertsDeadLetter];
    const specs = [
      ...[...coPartitioned, topics.feedback, topics.tenantConfig].map((topic) => ({
        topic,
        numPartitions: partitions,
      })),
      { topic: `${topics.incidents}.dlq`, numPartitions: 1 },
      { topic: `${topics.feedback}.dlq`, numPartitions: 1 },
    ];
    await retryKafkaStartUp(() => ensureTopics(admin, specs), retry);
    cleanups.push(() =>
      admin
        .deleteTopics({
          topics: [
            topics.raw,
            topics.incidents,
            topics.alertsDeadLetter,
            topics.feedback,
            topics.tenantConfig,
            `${topics.incidents}.dlq`,
            `${topics.feedback}.dlq`,
          ],
        })
        .catch(() => undefined),
    );
    // The correlator's group starts at the end of the shared alerts topic: only this run's alerts.
    const alertEnds = await retryKafkaStartUp(() => admin.fetchTopicOffsets(topics.alerts), retry);
    await retryKafkaStartUp(
      () =>
        admin.setOffsets({
          groupId: groups.correlator,
          topic: topics.alerts,
          partitions: alertEnds.map((p) => ({ partition: p.partition, offset: p.high })),
        }),
      retry,
    );
    const database = await freshDatabase(env.databaseUrl, id);
    cleanups.push(() => database.drop());

    const common = {
      KAFKA_BROKERS: env.kafkaBrokers,
      SCHEMA_REGISTRY_URL: env.schemaRegistryUrl,
      DATABASE_URL: database.url,
      ...database.serviceEnv,
      TOPIC_PARTITIONS: String(partitions),
      ...(identitySteps ? { [IDENTITY_STEPS_VARIABLE]: 'true' } : {}),
    };
    const profileDir = flags.get('cpu-prof-dir');
    const profiled = flags.get('cpu-prof');
    const nodeArgsOf = (name: string): string[] =>
      profiled === name && profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    const started = await Promise.all([
      startService({
        name: 'ingest',
        env: {
          ...common,
          INGEST_RAW_FORMATS: 'canonical',
          INGEST_RAW_TOPIC_PREFIX: topics.rawPrefix,
          INGEST_RAW_TRUSTED_TOPICS: topics.raw,
          INGEST_RAW_GROUP_ID: groups.ingest,
        },
        portVariable: 'INGEST_HTTP_PORT',
        nodeArgs: nodeArgsOf('ingest'),
      }),
      startService({
        name: 'correlator',
        env: {
          ...common,
          ALERTS_TOPIC: topics.alerts,
          INCIDENTS_TOPIC: topics.incidents,
          ALERTS_DLQ_TOPIC: topics.alertsDeadLetter,
          FEEDBACK_TOPIC: topics.feedback,
          TENANT_CONFIG_TOPIC: topics.tenantConfig,
          CORRELATOR_GROUP_ID: groups.correlator,
        },
        portVariable: 'CORRELATOR_HTTP_PORT',
        nodeArgs: nodeArgsOf('correlator'),
      }),
      startService({
        name: 'projector',
        env: {
          ...common,
          PROJECTOR_INCIDENTS_TOPIC: topics.incidents,
          PROJECTOR_FEEDBACK_TOPIC: topics.feedback,
          PROJECTOR_GROUP_ID: groups.projector,
        },
        portVariable: 'PROJECTOR_HTTP_PORT',
        nodeArgs: nodeArgsOf('projector'),
      }),
    ]);
    services.push(...started);

    const codec = await AvroTopicCodec.register<IncidentEvent>(
      createSchemaRegistry(env.schemaRegistryUrl),
      topics.incidents,
      readSchemaFile('incidents'),
      incidentAvroMapping,
    );
    const db = new Client({ connectionString: database.url });
    await db.connect();
    cleanups.unshift(() => db.end());

    // Alert id -> send time (ms, performance clock), and what has been seen so far.
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    let attributed = 0;
    let lastSeenAt = 0;
    const warmupIds = new Set<string>();
    let warmupSeen = 0;
    const consumer = kafka.consumer({
      groupId: groups.bench,
      maxWaitTimeInMs: 20,
      readUncommitted: false,
    });
    await retryKafkaStartUp(() => consumer.connect(), retry);
    cleanups.unshift(() => consumer.disconnect());
    await consumer.subscribe({ topic: topics.incidents, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const now = performance.now();
        for (const message of batch.messages) {
          const event = await codec.decode(message.value);
          for (const alertId of alertIdsOf(event)) {
            if (warmupIds.delete(alertId)) warmupSeen += 1;
            const at = sentAt.get(alertId);
            if (at === undefined) continue;
            sentAt.delete(alertId);
            latencies.push(now - at);
            attributed += 1;
            lastSeenAt = now;
          }
        }
      },
    });

    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await retryKafkaStartUp(() => producer.connect(), retry);
    cleanups.unshift(() => producer.disconnect());
    // Requests of at most 300 alerts (about 300 KB): the broker refuses a record batch over 1 MiB.
    const send = (batch: readonly Prepared[]): Promise<unknown> => {
      const requests: Promise<unknown>[] = [];
      for (let i = 0; i < batch.length; i += 300) {
        const messages = batch.slice(i, i + 300).map((a) => ({ key: a.tenantId, value: a.value }));
        requests.push(producer.send({ topic: topics.raw, acks: -1, messages }));
      }
      return Promise.all(requests);
    };

    // Warm-up: alerts of a tenant of their own until one reaches the incident topic and one is
    // visible in PostgreSQL, so group joins and first fetches are not measured.
    // Tenants named after the run: ingest remembers the alerts of earlier runs (the same seed
    // gives the same alert ids) for its re-delivery horizon, and would answer them duplicate.
    const warmupTenant = `${id}-warmup`;
    const warmup = prepare(`${seed}-warmup`, [warmupTenant], 50, 50);
    for (const alert of warmup) warmupIds.add(alert.alertId);
    const warmupStarted = Date.now();
    await send(warmup);
    for (;;) {
      const { rows } = await db.query(
        'SELECT 1 FROM read_model.incident_alerts WHERE tenant_id = $1 LIMIT 1',
        [warmupTenant],
      );
      if (warmupSeen > 0 && rows.length > 0) break;
      if (Date.now() - warmupStarted > 120_000)
        throw new Error('warm-up alerts did not come through in 120 s');
      await sleep(100);
    }
    const warmupSeconds = round1((Date.now() - warmupStarted) / 1000);

    const total = Math.max(1, Math.round(rate * durationSeconds));
    const tenantIds = Array.from({ length: tenants }, (_, i) => `${id}-tenant-${i + 1}`);
    const alerts = prepare(seed, tenantIds, total, rate);
    // A sample of alert ids for the PostgreSQL visibility probe.
    const sampleEvery = Math.max(1, Math.floor(total / 2_000));
    const visiblePending = new Map<string, number>();
    const visibleLatencies: number[] = [];

    const cpuBefore = new Map(services.map((s) => [s.name, cpuSeconds(s.pid)]));
    const benchCpuBefore = process.cpuUsage();
    const lagSamples: { t: number; ingest: number; correlator: number; projector: number }[] = [];
    let measuring = true;
    const t0 = performance.now();

    const lagLoop = (async () => {
      while (measuring) {
        const t = round1((performance.now() - t0) / 1000);
        try {
          const [ingest, correlator, incidentEnds, checkpoints] = await Promise.all([
            groupLag(admin, groups.ingest, topics.raw),
            groupLag(admin, groups.correlator, topics.alerts),
            admin.fetchTopicOffsets(topics.incidents),
            db.query<{ done: string | null }>(
              'SELECT sum(next_offset) AS done FROM read_model.projection_checkpoints WHERE topic = $1',
              [topics.incidents],
            ),
          ]);
          const projector = Math.max(
            0,
            incidentEnds.reduce((n, p) => n + Number(p.high), 0) -
              Number(checkpoints.rows[0]?.done ?? 0),
          );
          lagSamples.push({ t, ingest, correlator, projector });
        } catch {
          // A failed sample is skipped; the next one comes a second later.
        }
        await sleep(1_000);
      }
    })();

    const visibleLoop = (async () => {
      while (measuring) {
        if (visiblePending.size > 0) {
          const ids = [...visiblePending.keys()].slice(0, 2_000);
          const { rows } = await db.query<{ alert_id: string }>(
            'SELECT alert_id FROM read_model.incident_alerts WHERE alert_id = ANY($1::text[])',
            [ids],
          );
          const now = performance.now();
          for (const row of rows) {
            const at = visiblePending.get(row.alert_id);
            if (at === undefined) continue;
            visiblePending.delete(row.alert_id);
            visibleLatencies.push(now - at);
          }
        }
        await sleep(50);
      }
    })();

    // Open loop: every few milliseconds send what is due by the clock, without waiting for
    // earlier sends to be acknowledged.
    let sent = 0;
    let maxInFlight = 0;
    let inFlight = 0;
    const sends: Promise<unknown>[] = [];
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
      if (due > sent) {
        const batch = alerts.slice(sent, due);
        const now = performance.now();
        for (let i = 0; i < batch.length; i += 1) {
          const alert = batch[i] as Prepared;
          sentAt.set(alert.alertId, now);
          if ((sent + i) % sampleEvery === 0) visiblePending.set(alert.alertId, now);
        }
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        sends.push(
          send(batch).finally(() => {
            inFlight -= 1;
          }),
        );
        // Observed here so that a failed send fails the run through Promise.all below, not as
        // an unhandled rejection that would skip stopping the services.
        sends[sends.length - 1]?.catch(() => undefined);
        sent = due;
      }
      await sleep(5);
    }
    await Promise.all(sends);
    const producedAt = performance.now();

    // Drain: until every alert was named by an incident event, or nothing new for 15 s.
    const drainDeadline = producedAt + (smoke ? 60_000 : 180_000);
    let lastProgress = performance.now();
    let lastCount = attributed;
    while (attributed < total && performance.now() < drainDeadline) {
      await sleep(100);
      if (attributed !== lastCount) {
        lastCount = attributed;
        lastProgress = performance.now();
      } else if (performance.now() - lastProgress > 15_000) break;
    }
    const drainedAt = performance.now();
    const visibleDeadline = performance.now() + 10_000;
    while (visiblePending.size > 0 && performance.now() < visibleDeadline) await sleep(100);
    const cpuAfter = new Map(services.map((s) => [s.name, cpuSeconds(s.pid)]));
    const benchCpu = process.cpuUsage(benchCpuBefore);
    measuring = false;
    await Promise.all([lagLoop, visibleLoop]);

    if (total - attributed > total / 100) {
      for (const service of services)
        process.stderr.write(`--- ${service.name} output (tail) ---\n${service.output()}\n`);
    }
    const windowSeconds = (lastSeenAt - t0) / 1000;
    const elapsedForCpu = (drainedAt - t0) / 1000;
    const perService: Record<string, unknown> = {};
    for (const service of services) {
      const cpu = (cpuAfter.get(service.name) ?? 0) - (cpuBefore.get(service.name) ?? 0);
      perService[service.name] = {
        cpuSeconds: round1(cpu),
        cpuCores: Math.round((cpu / elapsedForCpu) * 100) / 100,
        peakRssMB: peakRssMb(service.pid),
      };
    }
    const maxLag = (key: 'ingest' | 'correlator' | 'projector'): number =>
      Math.max(0, ...lagSamples.map((s) => s[key]));
    return {
      bench: 'pipeline',
      identitySteps,
      smoke,
      targetRate: rate,
      durationSeconds,
      tenants,
      partitions,
      alerts: total,
      warmupSeconds,
      produceSeconds: round1((producedAt - t0) / 1000),
      producedPerSecond: Math.round(total / ((producedAt - t0) / 1000)),
      producerMaxInFlightBatches: maxInFlight,
      reachedIncidentTopic: attributed,
      missing: total - attributed,
      // Alerts named by an incident event, over first send to the last one named.
      sustainedAlertsPerSecond: windowSeconds > 0 ? Math.round(attributed / windowSeconds) : null,
      alertToIncidentEventMs: percentiles(latencies),
      alertToVisibleMs: {
        sampled: visibleLatencies.length + visiblePending.size,
        notVisible: visiblePending.size,
        pollMs: 50,
        ...percentiles(visibleLatencies),
      },
      lag: {
        maxIngest: maxLag('ingest'),
        maxCorrelator: maxLag('correlator'),
        maxProjector: maxLag('projector'),
        // Per second: [seconds since start, ingest, correlator, projector] (records behind).
        samples: lagSamples.map((s) => [s.t, s.ingest, s.correlator, s.projector]),
      },
      services: perService,
      benchProcess: {
        cpuSeconds: round1((benchCpu.user + benchCpu.system) / 1e6),
        peakRssMB: peakRssMb(process.pid),
      },
      machine: machine(),
    };
  } finally {
    await Promise.all(services.map((s) => s.stop()));
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    await admin.deleteGroups(Object.values(groups)).catch(() => undefined);
    await admin.disconnect();
    await env.release();
  }
}

async function main(): Promise<void> {
  const flags = readFlags();
  buildUnlessSkipped(flags);
  if (!flags.has('compare-null')) {
    console.log(JSON.stringify(await runPipeline(flags, flags.has('null'))));
    return;
  }
  // The null run first, then the real one, one after the other: they share the machine.
  const nullRun = await runPipeline(flags, true);
  const real = await runPipeline(flags, false);
  const rateOf = (run: Record<string, unknown>): number | null =>
    typeof run['sustainedAlertsPerSecond'] === 'number' ? run['sustainedAlertsPerSecond'] : null;
  const [realRate, nullRate] = [rateOf(real), rateOf(nullRun)];
  console.log(
    JSON.stringify({
      bench: 'pipeline-compare-null',
      sustainedAlertsPerSecond: realRate,
      nullSustainedAlertsPerSecond: nullRate,
      // The figure to move: the real pipeline's sustained rate over the transport's own.
      ratioToNull:
        realRate !== null && nullRate ? Math.round((realRate / nullRate) * 1000) / 1000 : null,
      real,
      null: nullRun,
    }),
  );
}

runBench(main);
