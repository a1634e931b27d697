import type { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { TOPICS, type IncidentEvent } from '@soc/contracts';
import { createSchemaRegistry, type AvroTopicCodec } from '@soc/kafka';
import { READ_MODEL_SCHEMA } from '@soc/persistence';
import {
  AlertTail,
  TcpProxy,
  correlatorEnv,
  createSpecTenancy,
  infraFromEnv,
  ingestEnv,
  prepareTopics,
  registerCodecs,
  startGroupAtEnd,
  testKafka,
  uniqueName,
  waitFor,
  alertTopicPartitions,
  type SpecTenancy,
  serviceDatabaseEnv,
} from '@soc/testing';
import { spawnApp, startApp, type AppProcess } from '../support/app-process';
import { waitForLog, withOutputOf } from '../support/process-faults';
import { alertSender, type AlertSender } from './alert-sender';
import {
  auditPipeline,
  CLEAN_AUDIT,
  reportFault,
  deadLettersOf,
  projectorDeadLettersOf,
  type PipelineAudit,
} from './pipeline-audit';

const DATABASE_OUTAGE_MS = 30_000;

/**
 * Outages of PostgreSQL and of the schema registry, each made by cutting a TCP forwarder in
 * front of the shared service (connections reset, new ones refused, as a stopped server does):
 * the shared services keep running for every other spec. Ingest, the correlator and the
 * projector run as the real apps and reach both only through the forwarders.
 */
describe('the pipeline when PostgreSQL or the schema registry is down', () => {
  const infra = infraFromEnv();
  const name = uniqueName('store-faults');
  const groups = { correlator: `${name}-correlator`, projector: `${name}-projector` };
  const incidentsTopic = `${name}.incidents`;
  let kafka: Kafka;
  let tenancy: SpecTenancy;
  let database: TcpProxy;
  let registry: TcpProxy;
  let alerts: AlertTail;
  let incidentCodec: AvroTopicCodec<IncidentEvent>;
  let db: Client;
  let env: Record<string, string>;
  const apps: Record<'ingest' | 'correlator' | 'projector', AppProcess | undefined> = {
    ingest: undefined,
    correlator: undefined,
    projector: undefined,
  };
  const running = (): AppProcess[] => Object.values(apps).filter((a) => a !== undefined);

  const startCorrelator = async (): Promise<AppProcess> => {
    const correlator = await spawnApp({
      name: 'correlator',
      env: {
        ...correlatorEnv(infra, env.DATABASE_URL as string, groups.correlator, partitions),
        ...env,
        ALERTS_TOPIC: TOPICS.alerts,
        INCIDENTS_TOPIC: incidentsTopic,
      },
    });
    apps.correlator = correlator;
    return correlator;
  };
  const startProjector = async ({ waitHealthy }: { waitHealthy: boolean }): Promise<void> => {
    const options = {
      name: 'projector',
      env: {
        ...env,
        PROJECTOR_INCIDENTS_TOPIC: incidentsTopic,
        PROJECTOR_FEEDBACK_TOPIC: `${name}.feedback`,
        PROJECTOR_GROUP_ID: groups.projector,
        PROJECTOR_MAX_WAIT: '50ms',
      },
      portVariable: 'PROJECTOR_HTTP_PORT',
    };
    apps.projector = waitHealthy ? await startApp(options) : await spawnApp(options);
  };
  let partitions = 2;

  // Boots a broker or three apps from sources: minutes on a loaded machine.
  beforeAll(async () => {
    kafka = testKafka();
    partitions = await alertTopicPartitions(kafka);
    await prepareTopics(kafka, partitions);
    tenancy = await createSpecTenancy('store_faults');
    const dbUrl = new URL(tenancy.database.url);
    database = await TcpProxy.start({ host: dbUrl.hostname, port: Number(dbUrl.port || 5432) });
    const registryUrl = new URL(infra.schemaRegistryUrl);
    registry = await TcpProxy.start({
      host: registryUrl.hostname,
      port: Number(registryUrl.port || 80),
    });
    env = {
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: registry.rewrite(infra.schemaRegistryUrl).replace(/\/+$/, ''),
      DATABASE_URL: database.rewrite(tenancy.database.url),
      ...serviceDatabaseEnv(database.rewrite(tenancy.database.url)),
      TOPIC_PARTITIONS: String(partitions),
      // As deployed: jest's NODE_ENV=test would switch kafkajs to its test retry defaults.
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
    };
    // The correlator's group starts at the end of the shared alerts topic: only this spec's.
    await startGroupAtEnd(kafka, groups.correlator, TOPICS.alerts);
    alerts = await AlertTail.start(kafka);
    apps.ingest = await startApp({
      name: 'ingest',
      // Every request checks its key in PostgreSQL, so the outage is met on the first one.
      env: { ...ingestEnv(env.DATABASE_URL as string, partitions), ...env, API_KEY_CACHE: '1ms' },
      portVariable: 'INGEST_HTTP_PORT',
    });
    await waitForLog(await startCorrelator(), 'correlator running', 90_000);
    await startProjector({ waitHealthy: true });
    ({ incidentCodec } = await registerCodecs(createSchemaRegistry(infra.schemaRegistryUrl), {
      alerts: TOPICS.alerts,
      incidents: incidentsTopic,
    }));
    db = new Client({ connectionString: tenancy.database.url });
    await db.connect();
  }, 300_000);

  afterAll(async () => {
    await Promise.all(running().map((app) => app.stop()));
    await db?.end();
    await alerts?.stop();
    await database?.cut();
    await registry?.cut();
    await tenancy?.close();
  });

  /** The incident event ids the projector wrote to the tenant's timeline. */
  const projectedEventIds = async (tenantId: string): Promise<Set<string>> => {
    const { rows } = await db.query<{ event_id: string }>(
      `SELECT event_id FROM ${READ_MODEL_SCHEMA}.incident_timeline WHERE tenant_id = $1 AND stream = 'incident'`,
      [tenantId],
    );
    return new Set(rows.map((row) => row.event_id));
  };

  /**
   * Waits until every accepted alert is placed in an incident and the projector has written
   * every incident event of the tenant, then audits. Other specs write to the shared alerts
   * topic all the time, so "caught up" is this tenant's alerts, not the group's lag.
   */
  const settledAudit = async (tenantId: string, sender: AlertSender): Promise<PipelineAudit> =>
    withOutputOf(running(), async () => {
      const audit = () =>
        auditPipeline({
          kafka,
          // Kafka is not faulted here: the tail started before the spec sees every copy.
          alertsOnTopic: async (id) => (await alerts.of(id)).map(({ alert }) => alert),
          incidentsTopic,
          incidentCodec,
          tenantId,
          accepted: sender.tally.delivered,
        });
      await waitFor(async () => (await audit()).alertsNotPlaced.length === 0, {
        timeoutMs: 120_000,
        intervalMs: 500,
        describe: `every accepted alert of ${tenantId} placed in an incident`,
      });
      const { eventIds } = await audit();
      await waitFor(
        async () => {
          const projected = await projectedEventIds(tenantId);
          return eventIds.every((id) => projected.has(id));
        },
        {
          timeoutMs: 120_000,
          intervalMs: 500,
          describe: `the projector to write ${tenantId}'s events`,
        },
      );
      return audit();
    });

  it('keeps answering 202 for a known key through a 30 s PostgreSQL outage, and the projector catches up', async () => {
    const tenant = await tenancy.tenant('pg-outage');
    const sender = alertSender({ url: () => apps.ingest?.url ?? '', apiKey: tenant.ingestKey });
    await sender.sendRange('pg', 0, 60);
    const before = await settledAudit(tenant.tenantId, sender);
    expect(before).toMatchObject({ ...CLEAN_AUDIT, alertsIn: 60 });

    await database.cut();
    const cutAt = Date.now();
    let sent = 60;
    try {
      // Alerts keep arriving for the whole outage.
      while (Date.now() - cutAt < DATABASE_OUTAGE_MS) {
        await sender.sendRange('pg', sent, sent + 20);
        sent += 20;
      }
      // The projector could not have written what came during the outage.
      expect((await projectedEventIds(tenant.tenantId)).size).toBe(before.incidentEvents);
    } finally {
      await database.restore();
    }

    const after = await settledAudit(tenant.tenantId, sender);
    reportFault('PostgreSQL down 30 s', { before, after, answers: sender.tally.answers });
    expect(sender.tally.violations).toEqual([]);
    expect([...sender.tally.answers.keys()]).toEqual(['202']);
    expect(after).toMatchObject({ ...CLEAN_AUDIT, alertsIn: sent });
    expect(after.incidentEvents).toBeGreaterThan(before.incidentEvents);
    for (const app of running()) expect(app.exited()).toBe(false);
  });

  it('loses and dead-letters nothing while the registry is down, even for a correlator and projector started during the outage', async () => {
    const tenant = await tenancy.tenant('registry-outage');
    const sender = alertSender({ url: () => apps.ingest?.url ?? '', apiKey: tenant.ingestKey });
    await sender.sendRange('registry', 0, 60);
    const before = await settledAudit(tenant.tenantId, sender);
    expect(before).toMatchObject({ ...CLEAN_AUDIT, alertsIn: 60 });
    // The correlator dead-letters to a topic, the projector to its table.
    const deadLetters = async () =>
      (await deadLettersOf(kafka, `${groups.correlator}.alerts.dlq`, tenant.tenantId)) +
      (await projectorDeadLettersOf(db, { topic: incidentsTopic, tenantId: tenant.tenantId }));

    await registry.cut();
    try {
      await sender.sendRange('registry', 60, 120);
      // Cold caches: these two must fetch schemas from the registry that is not there.
      await apps.correlator?.kill('SIGKILL');
      await apps.projector?.kill('SIGKILL');
      const correlator = await startCorrelator();
      // Not waited healthy: it may not answer until it reaches the registry.
      await startProjector({ waitHealthy: false });
      await sender.sendRange('registry', 120, 200);
      expect(correlator.exited()).toBe(false);
    } finally {
      await registry.restore();
    }

    const after = await settledAudit(tenant.tenantId, sender);
    reportFault('registry down', { before, after, answers: sender.tally.answers });
    expect(sender.tally.violations).toEqual([]);
    expect(after).toMatchObject({ ...CLEAN_AUDIT, alertsIn: 200 });
    expect(await deadLetters()).toBe(0);
    for (const app of running()) expect(app.exited()).toBe(false);
  });
});
