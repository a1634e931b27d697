import type { Consumer, Kafka, Producer } from 'kafkajs';
import type { CanonicalAlert, IncidentEvent } from '@soc/contracts';
import { generateLabeledAlerts } from '@soc/domain';
import { createSchemaRegistry, type AvroTopicCodec } from '@soc/kafka';
import {
  connectIdempotentProducer,
  correlatorEnv,
  createMigratedSpecDatabase,
  infraFromEnv,
  produceAlerts,
  startIncidentCollector,
  testKafka,
  uniqueName,
  waitFor,
  type SpecDatabase,
} from '@soc/testing';
import { newApiKeyMaterial } from '@soc/persistence';
import { startApp, type AppProcess } from '../../../test/support/app-process';

const PARTITIONS = 2;
const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 1, 2, 8);
const TENANT = 'tenant-fb';
const infra = infraFromEnv();
const registry = createSchemaRegistry(infra.schemaRegistryUrl);
const template = generateLabeledAlerts({
  seed: 'correlator-feedback',
  tenants: 1,
  alertCount: 1,
})[0]!.alert;

/** The nightly backup job's alert on ws-3: the pattern the analyst keeps closing as noise. */
const backupAlert = (alertId: string, at: number): CanonicalAlert => ({
  ...template,
  tenantId: TENANT,
  alertId,
  ruleId: 'R-backup-share',
  ruleName: 'Mass file read on a share',
  title: 'Mass file read on a share',
  observedAt: at,
  ingestedAt: at,
  tactics: ['TA0009'],
  entities: [{ type: 'host', value: 'ws-3', role: null, hashAlgorithm: null }],
  threatIntel: [],
});

type EventOf<T extends IncidentEvent['type']> = Extract<IncidentEvent, { type: T }>;
const ofType = <T extends IncidentEvent['type']>(events: readonly IncidentEvent[], type: T) =>
  events.filter((e): e is EventOf<T> => e.type === type);
const feedbackReason = (event: EventOf<'IncidentScored'>): string | undefined =>
  event.data.explanation.adjustments.find((a) => a.name === 'analyst_feedback')?.reason;

describe('the correlator learning from analyst feedback through the query API', () => {
  const name = uniqueName('corr-fb');
  const adminKey = newApiKeyMaterial().apiKey;
  let database: SpecDatabase;
  let kafka: Kafka;
  let producer: Producer;
  let collector: Consumer;
  let alertCodec: AvroTopicCodec<CanonicalAlert>;
  let correlator: AppProcess;
  let projector: AppProcess;
  let api: AppProcess;
  let analystKey = '';
  const events: IncidentEvent[] = [];
  const env = () => correlatorEnv(infra, database.url, name, PARTITIONS);
  const projectorEnv = () => ({
    ...env(),
    PROJECTOR_MAX_WAIT: '50ms',
    PROJECTOR_INCIDENTS_TOPIC: `${name}.incidents`,
    PROJECTOR_FEEDBACK_TOPIC: `${name}.feedback`,
    PROJECTOR_GROUP_ID: `${name}-projector`,
  });

  const call = async (path: string, body?: unknown, key = analystKey) => {
    const response = await fetch(`${api.url}/api/v1${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    database = await createMigratedSpecDatabase('correlator_feedback');
    kafka = testKafka();
    producer = await connectIdempotentProducer(kafka);
    correlator = await startApp({
      name: 'correlator',
      env: env(),
      portVariable: 'CORRELATOR_HTTP_PORT',
    });
    projector = await startApp({
      name: 'projector',
      env: projectorEnv(),
      portVariable: 'PROJECTOR_HTTP_PORT',
    });
    api = await startApp({
      name: 'query-api',
      env: { ...env(), BOOTSTRAP_ADMIN_KEY: adminKey },
      portVariable: 'QUERY_API_HTTP_PORT',
    });
    const created = await call('/admin/tenants', { tenant_id: TENANT, name: TENANT }, adminKey);
    expect(created.status).toBe(201);
    const tenantAdmin = (created.body['adminKey'] as { apiKey: string }).apiKey;
    const analyst = await call(
      `/admin/tenants/${TENANT}/api-keys`,
      { role: 'analyst', name: 'ana' },
      tenantAdmin,
    );
    expect(analyst.status).toBe(201);
    analystKey = analyst.body['apiKey'] as string;
    ({ alertCodec, collector } = await startIncidentCollector({
      kafka,
      registry,
      topics: { alerts: `${name}.alerts`, incidents: `${name}.incidents` },
      groupPrefix: 'corr-fb-reader',
      onEvent: (event) => events.push(event),
    }));
  }, 180_000);

  afterAll(async () => {
    await collector?.disconnect();
    await api?.stop();
    await projector?.stop();
    await correlator?.stop();
    await producer?.disconnect();
    await database?.drop();
  });

  const send = (alert: CanonicalAlert) =>
    produceAlerts(producer, `${name}.alerts`, alertCodec, [alert], PARTITIONS);
  const scoreOf = (alertId: string) =>
    waitFor(() => ofType(events, 'IncidentScored').find((e) => e.causationId === alertId), {
      timeoutMs: 60_000,
      describe: `the score of the incident of ${alertId}`,
    });

  it('scores the next alert of a pattern closed as false positive lower, with the reason, exactly once across a restart', async () => {
    const past = ['bk-1', 'bk-2', 'bk-3', 'bk-4'];
    for (const [i, alertId] of past.entries()) await send(backupAlert(alertId, T0 + i * 3 * HOUR));
    const scored = await Promise.all(past.map(scoreOf));
    const incidentIds = scored.map((e) => e.data.incidentId);
    // The analyst closes the first three through the API once the projector shows them.
    for (const incidentId of incidentIds.slice(0, 3)) {
      await waitFor(async () => (await call(`/incidents/${incidentId}`)).status === 200, {
        timeoutMs: 60_000,
        describe: `incident ${incidentId} projected`,
      });
      const closed = await call(`/incidents/${incidentId}/verdict`, {
        verdict: 'false_positive',
        notes: 'nightly backup job',
      });
      expect(closed.status).toBeLessThan(300);
    }
    const applied = await waitFor(
      () => {
        const found = ofType(events, 'FeedbackApplied');
        return found.length >= 3 ? found : undefined;
      },
      { timeoutMs: 60_000, describe: 'three verdicts applied by the correlator' },
    );
    expect(applied.map((e) => e.data.verdict)).toEqual(Array(3).fill('false_positive'));

    // The open fourth incident is rescored by the verdicts, and the next alert scores lower.
    const rescoredOpen = await waitFor(
      () =>
        ofType(events, 'IncidentScored').find(
          (e) => e.data.incidentId === incidentIds[3] && feedbackReason(e) !== undefined,
        ),
      { timeoutMs: 30_000, describe: 'the open incident rescored by the feedback' },
    );
    expect(rescoredOpen.data.priority).toBeLessThan(scored[3]!.data.priority);
    await send(backupAlert('bk-5', T0 + 12 * HOUR));
    const next = await scoreOf('bk-5');
    expect(feedbackReason(next)).toMatch(
      /^3 of 3 past incidents of rule R-backup-share on host ws-3 were closed as false positive: -\d+$/,
    );
    const points = next.data.explanation.adjustments.find((a) => a.name === 'analyst_feedback');
    expect(points?.points).toBeLessThan(0);

    // A restart rebuilds the model from the incident log alone, applying no verdict twice.
    await correlator.stop();
    correlator = await startApp({
      name: 'correlator',
      env: env(),
      portVariable: 'CORRELATOR_HTTP_PORT',
    });
    await send(backupAlert('bk-6', T0 + 15 * HOUR));
    const afterRestart = await scoreOf('bk-6');
    expect(feedbackReason(afterRestart)).toBe(feedbackReason(next));
    expect(afterRestart.data.priority).toBe(next.data.priority);
    expect(ofType(events, 'FeedbackApplied')).toHaveLength(3);
    for (const incidentId of incidentIds.slice(0, 3))
      expect(
        ofType(events, 'FeedbackApplied').filter((e) => e.data.incidentId === incidentId),
      ).toHaveLength(1);
  }, 300_000);

  it('accepts the original design’s feedback call for an alert whose incident is not projected yet, and shows it on the incident once it is', async () => {
    const alertId = 'bk-early';
    // The projector lags: the correlator has the alert's incident, the read model does not.
    await projector.stop();
    await send(backupAlert(alertId, T0 + 40 * HOUR));
    const opened = await waitFor(
      () => ofType(events, 'IncidentOpened').find((e) => e.data.firstAlert.alertId === alertId),
      { timeoutMs: 60_000, describe: 'the incident of the alert' },
    );
    const accepted = await call('/feedback', {
      alert_id: alertId,
      correct_priority: 95,
      analyst_notes: 'this share holds payroll',
    });
    expect(accepted.status).toBe(202);
    const applied = await waitFor(
      () =>
        ofType(events, 'FeedbackApplied').find(
          (e) => e.data.alertId === alertId && e.data.incidentId === opened.data.incidentId,
        ),
      { timeoutMs: 60_000, describe: 'the correction applied to the alert’s incident' },
    );
    expect(applied.data.correctPriority).toBe(95);
    projector = await startApp({
      name: 'projector',
      env: projectorEnv(),
      portVariable: 'PROJECTOR_HTTP_PORT',
    });
    const entry = await waitFor(
      async () => {
        const detail = await call(`/incidents/${opened.data.incidentId}`);
        const timeline = (detail.body['timeline'] ?? []) as { type: string; summary: string }[];
        return timeline.find((item) => item.type === 'FeedbackApplied');
      },
      { timeoutMs: 60_000, describe: 'the feedback on the incident’s timeline' },
    );
    expect(entry.summary).toContain('priority should be 95');
    expect(entry.summary).toContain(`for alert ${alertId}`);
  }, 180_000);

  it('holds feedback on an alert the correlator has not seen yet, across a restart, and applies it once when the alert arrives', async () => {
    const alertId = 'bk-late-detector';
    const accepted = await call('/feedback', {
      alert_id: alertId,
      correct_priority: 90,
      analyst_notes: 'the copy the late detector will report',
    });
    expect(accepted.status).toBe(202);
    const held = await waitFor(
      () => ofType(events, 'FeedbackHeld').find((e) => e.data.alertId === alertId),
      { timeoutMs: 60_000, describe: 'the feedback held for the alert' },
    );
    expect(held.data.correctPriority).toBe(90);
    // A restart rebuilds what is held from the incident log alone.
    await correlator.stop();
    correlator = await startApp({
      name: 'correlator',
      env: env(),
      portVariable: 'CORRELATOR_HTTP_PORT',
    });
    await send(backupAlert(alertId, T0 + 44 * HOUR));
    const applied = await waitFor(
      () => ofType(events, 'FeedbackApplied').find((e) => e.data.alertId === alertId),
      { timeoutMs: 60_000, describe: 'the held feedback applied when its alert arrived' },
    );
    const opened = ofType(events, 'IncidentOpened').find(
      (e) => e.data.firstAlert.alertId === alertId,
    );
    expect(applied.data.incidentId).toBe(opened?.data.incidentId);
    expect(applied.causationId).toBe(held.data.feedbackEventId);
    expect(applied.data.correctPriority).toBe(90);
    await scoreOf(alertId);
    expect(
      ofType(events, 'FeedbackApplied').filter((e) => e.data.alertId === alertId),
    ).toHaveLength(1);
    expect(ofType(events, 'HeldFeedbackExpired')).toEqual([]);
  }, 240_000);
});
