import type { Kafka } from 'kafkajs';
import { TOPICS, type IncidentEvent } from '@soc/contracts';
import { createSchemaRegistry, type AvroTopicCodec } from '@soc/kafka';
import {
  AlertTail,
  alertTopicPartitions,
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
  type SpecTenancy,
} from '@soc/testing';
import { spawnApp, startApp, type AppProcess } from '../support/app-process';
import { waitForLog, withOutputOf } from '../support/process-faults';
import { faultAlerts, type SimpleAlert } from './alert-sender';
import { auditPipeline, CLEAN_AUDIT, type PipelineAudit } from './pipeline-audit';

/**
 * Ingest's re-delivery memory is the alert log itself: two ingest processes on the shared
 * stack, and one of them SIGKILLed and started again, each get the same alerts; the log and
 * the incident log (a correlator of the spec's own) must hold each alert once.
 */
describe('ingest re-delivery memory across replicas and restarts', () => {
  const infra = infraFromEnv();
  const name = uniqueName('ingest-redeliveries');
  const incidentsTopic = `${name}.incidents`;
  let kafka: Kafka;
  let tenancy: SpecTenancy;
  let alerts: AlertTail;
  let incidentCodec: AvroTopicCodec<IncidentEvent>;
  let ingestEnvironment: Record<string, string>;
  const apps: { a?: AppProcess; b?: AppProcess; correlator?: AppProcess } = {};
  const running = (): AppProcess[] => Object.values(apps);

  const startIngest = (label: string): Promise<AppProcess> =>
    startApp({ name: 'ingest', label, env: ingestEnvironment, portVariable: 'INGEST_HTTP_PORT' });

  beforeAll(async () => {
    kafka = testKafka();
    const partitions = await alertTopicPartitions(kafka);
    await prepareTopics(kafka, partitions);
    tenancy = await createSpecTenancy('ingest_redeliveries');
    ingestEnvironment = {
      ...ingestEnv(tenancy.database.url, partitions),
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
    };
    await startGroupAtEnd(kafka, name, TOPICS.alerts);
    alerts = await AlertTail.start(kafka);
    apps.a = await startIngest('ingest-a');
    apps.b = await startIngest('ingest-b');
    apps.correlator = await spawnApp({
      name: 'correlator',
      env: {
        ...correlatorEnv(infra, tenancy.database.url, name, partitions),
        ALERTS_TOPIC: TOPICS.alerts,
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
      },
    });
    await waitForLog(apps.correlator, 'correlator running', 90_000);
    ({ incidentCodec } = await registerCodecs(createSchemaRegistry(infra.schemaRegistryUrl), {
      alerts: TOPICS.alerts,
      incidents: incidentsTopic,
    }));
  }, 300_000);

  afterAll(async () => {
    await Promise.all(running().map((app) => app.stop()));
    await alerts?.stop();
    await tenancy?.close();
  });

  /** Posts one batch and returns each item's status (202 expected). */
  const post = async (app: AppProcess, apiKey: string, batch: readonly SimpleAlert[]) => {
    const response = await fetch(`${app.url}/api/v1/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify(batch),
    });
    const text = await response.text();
    expect({ status: response.status, text }).toMatchObject({ status: 202 });
    return (JSON.parse(text) as { results: { status: string }[] }).results.map((r) => r.status);
  };

  const settledAudit = (tenantId: string, accepted: ReadonlySet<string>): Promise<PipelineAudit> =>
    withOutputOf(running(), async () => {
      const audit = () =>
        auditPipeline({
          kafka,
          alertsOnTopic: async (id) => (await alerts.of(id)).map(({ alert }) => alert),
          incidentsTopic,
          incidentCodec,
          tenantId,
          accepted,
        });
      await waitFor(async () => (await audit()).alertsNotPlaced.length === 0, {
        timeoutMs: 120_000,
        intervalMs: 500,
        describe: `every accepted alert of ${tenantId} placed in an incident`,
      });
      return audit();
    });

  it('writes an alert sent to two replicas, and again after a restart, once to the log and the incident log', async () => {
    const tenant = await tenancy.tenant('replicas');
    const batch = faultAlerts('replica', 30);
    const accepted = new Set(batch.map((alert) => alert.id));
    const every = (status: string) => batch.map(() => status);

    expect(await post(apps.a as AppProcess, tenant.ingestKey, batch)).toEqual(every('accepted'));
    expect(await post(apps.b as AppProcess, tenant.ingestKey, batch)).toEqual(every('duplicate'));
    const before = await settledAudit(tenant.tenantId, accepted);
    expect(before).toMatchObject({ ...CLEAN_AUDIT, alertsIn: 30 });

    // Killed, so nothing of its memory survives but what the log holds.
    await apps.a?.kill('SIGKILL');
    apps.a = await startIngest('ingest-a-again');
    expect(await post(apps.a, tenant.ingestKey, batch)).toEqual(every('duplicate'));
    expect(await post(apps.b as AppProcess, tenant.ingestKey, batch)).toEqual(every('duplicate'));

    const after = await settledAudit(tenant.tenantId, accepted);
    process.stdout.write(
      `[ingest replicas] ${after.alertsIn} alerts in (sent 4 times), ` +
        `${(await alerts.of(tenant.tenantId)).length} on the log, ` +
        `${before.incidentEvents} incident events before the restart, ${after.incidentEvents} after\n`,
    );
    expect(after).toMatchObject({ ...CLEAN_AUDIT, alertsIn: 30 });
    expect(after.incidentEvents).toBe(before.incidentEvents);
  });
});
