import type { Kafka } from 'kafkajs';
import { TOPICS, type CanonicalAlert, type IncidentEvent } from '@soc/contracts';
import { createSchemaRegistry, type AvroTopicCodec } from '@soc/kafka';
import {
  correlatorEnv,
  createSpecTenancy,
  infraFromEnv,
  ingestEnv,
  prepareTopics,
  readTopicToEnd,
  registerCodecs,
  testKafka,
  uniqueName,
  waitFor,
  waitForGroupCaughtUp,
  type SpecTenancy,
} from '@soc/testing';
import { spawnApp, startApp, type AppProcess } from '../support/app-process';
import { waitForLog, withOutputOf } from '../support/process-faults';
import { startPrivateKafka, type PrivateKafka } from '../support/private-kafka';
import { alertSender, faultAlerts, type AlertSender } from './alert-sender';
import { auditPipeline, CLEAN_AUDIT, reportFault, type PipelineAudit } from './pipeline-audit';

const PARTITIONS = 2;
/** Ingest's INGEST_PUBLISH_TIMEOUT here, and the room a loaded machine gets past it. */
const PUBLISH_TIMEOUT_MS = 2_000;
const ANSWER_MARGIN_MS = 5_000;

/**
 * Faults of the broker itself, on a broker of this spec's own (the shared one is never
 * touched): ingest and the correlator run as the real apps against it, and a sender retries as
 * a SIEM forwarder does until ingest answers 202.
 */
describe('the pipeline when its Kafka broker fails', () => {
  const infra = infraFromEnv();
  const groupId = uniqueName('broker-faults');
  const incidentsTopic = `${groupId}.incidents`;
  let broker: PrivateKafka;
  let kafka: Kafka;
  let tenancy: SpecTenancy;
  let ingest: AppProcess;
  let correlator: AppProcess;
  let alertCodec: AvroTopicCodec<CanonicalAlert>;
  let incidentCodec: AvroTopicCodec<IncidentEvent>;

  // Boots a broker or three apps from sources: minutes on a loaded machine.
  beforeAll(async () => {
    broker = await startPrivateKafka();
    kafka = testKafka({ brokers: [broker.brokers] });
    tenancy = await createSpecTenancy('broker_faults');
    await prepareTopics(kafka, PARTITIONS);
    // As deployed: jest's NODE_ENV=test would switch kafkajs to its test retry defaults.
    const deployed = { KAFKA_BROKERS: broker.brokers, NODE_ENV: 'production', LOG_LEVEL: 'info' };
    ingest = await startApp({
      name: 'ingest',
      env: {
        ...ingestEnv(tenancy.database.url, PARTITIONS),
        ...deployed,
        INGEST_PUBLISH_TIMEOUT: `${PUBLISH_TIMEOUT_MS}ms`,
      },
      portVariable: 'INGEST_HTTP_PORT',
    });
    correlator = await spawnApp({
      name: 'correlator',
      env: {
        ...correlatorEnv(infra, tenancy.database.url, groupId, PARTITIONS),
        ALERTS_TOPIC: TOPICS.alerts,
        ...deployed,
      },
    });
    await waitForLog(correlator, 'correlator running', 90_000);
    ({ alertCodec, incidentCodec } = await registerCodecs(
      createSchemaRegistry(infra.schemaRegistryUrl),
      {
        alerts: TOPICS.alerts,
        incidents: incidentsTopic,
      },
    ));
  }, 300_000);

  afterAll(async () => {
    await ingest?.stop();
    await correlator?.stop();
    await broker?.remove();
    await tenancy?.close();
  });

  const settledAudit = async (tenantId: string, sender: AlertSender): Promise<PipelineAudit> => {
    await withOutputOf([ingest, correlator], () =>
      waitForGroupCaughtUp(kafka, groupId, TOPICS.alerts, 120_000),
    );
    return auditPipeline({
      kafka,
      // Read afresh: a long-lived reader in this process would be recovering from the fault too.
      alertsOnTopic: async (id) =>
        Promise.all(
          (await readTopicToEnd(kafka, TOPICS.alerts))
            .filter((record) => record.key?.toString() === id)
            .map((record) => alertCodec.decode(record.value)),
        ),
      incidentsTopic,
      incidentCodec,
      tenantId,
      accepted: sender.tally.delivered,
    });
  };

  it('loses and duplicates nothing when the broker is killed mid-stream and restarted', async () => {
    const tenant = await tenancy.tenant('broker-kill');
    const sender = alertSender({ url: () => ingest.url, apiKey: tenant.ingestKey });
    await sender.sendRange('kill', 0, 100);
    const before = await settledAudit(tenant.tenantId, sender);
    expect(before).toMatchObject({ ...CLEAN_AUDIT, alertsIn: 100 });

    await broker.kill();
    // A sender that waits as long as it takes: ingest answers it within its publish timeout.
    const probe = faultAlerts('kill-probe', 5);
    const askedAt = Date.now();
    const answer = await fetch(`${ingest.url}/api/v1/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': tenant.ingestKey },
      body: JSON.stringify(probe),
      signal: AbortSignal.timeout(120_000),
    });
    const answeredInMs = Date.now() - askedAt;
    expect({ status: answer.status, retryAfter: answer.headers.get('retry-after') }).toEqual({
      status: 503,
      retryAfter: '5',
    });
    expect(answeredInMs).toBeLessThan(PUBLISH_TIMEOUT_MS + ANSWER_MARGIN_MS);
    const sending = sender.sendRange('kill', 100, 300);
    await waitFor(() => sender.failedAttempts() > 0, {
      timeoutMs: 60_000,
      describe: 'the sender to see ingest fail to write while the broker is down',
    });
    await broker.restart();
    await sending;
    // The probe's sender retries too: the alerts answered 503 are written once after all.
    await sender.send(probe);

    const after = await settledAudit(tenant.tenantId, sender);
    reportFault('broker killed', { before, after, answers: sender.tally.answers });
    process.stdout.write(`[broker killed] 503 answered in ${answeredInMs} ms\n`);
    expect(sender.tally.violations).toEqual([]);
    expect(after).toMatchObject({ ...CLEAN_AUDIT, alertsIn: 305 });
    expect(correlator.exited()).toBe(false);
  });

  it('writes every alert of a retrying sender exactly once through a broker brownout', async () => {
    const tenant = await tenancy.tenant('broker-brownout');
    const sender = alertSender({
      url: () => ingest.url,
      apiKey: tenant.ingestKey,
      requestTimeoutMs: 2_000,
    });
    await sender.sendRange('brownout', 0, 100);
    const before = await settledAudit(tenant.tenantId, sender);
    expect(before).toMatchObject({ ...CLEAN_AUDIT, alertsIn: 100 });

    // A hung broker: connections stay open and nothing is answered, so requests time out.
    broker.freeze();
    let sending: Promise<void>;
    try {
      sending = sender.sendRange('brownout', 100, 300);
      await waitFor(() => sender.failedAttempts() >= 3, {
        timeoutMs: 60_000,
        describe: 'the sender to see three failed attempts',
      });
    } finally {
      broker.thaw();
    }
    await sending;

    const after = await settledAudit(tenant.tenantId, sender);
    reportFault('broker brownout', { before, after, answers: sender.tally.answers });
    expect(sender.tally.violations).toEqual([]);
    expect(after).toMatchObject({ ...CLEAN_AUDIT, alertsIn: 300 });
    expect(correlator.exited()).toBe(false);
  });
});
