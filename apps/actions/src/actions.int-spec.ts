import { DEAD_LETTER_HEADERS } from '@soc/contracts';
import { infraFromEnv, testKafka, uniqueName, waitFor } from '@soc/testing';
import { startApp, type AppProcess } from '../../../test/support/app-process';
import { startHttpReceiver, type HttpReceiver } from '../../../test/support/http-receiver';
import { killProcessesWithEnv } from '../../../test/support/process-kill';
import { ACTIONS_DLQ_HEADERS } from './actions-consumer';
import { IDEMPOTENCY_HEADER } from './destinations/destination';
import type { WebhookBodyV1 } from './destinations/webhook-body';
import { SIGNATURE_HEADER, verifySignature } from './destinations/webhook-signature';
import {
  actionsEnv,
  createIncidentLog,
  escalatingIncident,
  readDeadLetters,
  waitForCommittedToEnd,
  type IncidentLog,
} from '../test/spec-support';

const SECRET = 'spec-webhook-secret-0123456789';
const INCIDENTS = 12;

describe('actions service: generic webhook', () => {
  const infra = infraFromEnv();
  const kafka = testKafka();
  let log: IncidentLog;
  let receiver: HttpReceiver;
  let app: AppProcess | null = null;
  let env: Record<string, string>;

  beforeAll(async () => {
    log = await createIncidentLog(kafka, infra, 'actions-webhook');
    // Slow enough that the service is still sending when the spec kills it.
    receiver = await startHttpReceiver((request) =>
      request.path.startsWith('/broken')
        ? { status: 503, body: 'maintenance' }
        : { status: 204, delayMs: 120 },
    );
    env = actionsEnv(
      infra,
      log,
      {
        version: 1,
        destinations: {
          soar: {
            type: 'webhook',
            url: `${receiver.url}/hooks/soc`,
            secret: { env: 'SPEC_WEBHOOK_SECRET' },
          },
          late: {
            type: 'webhook',
            url: `${receiver.url}/hooks/late`,
            secret: { env: 'SPEC_WEBHOOK_SECRET' },
          },
          broken: {
            type: 'webhook',
            url: `${receiver.url}/broken`,
            secret: { env: 'SPEC_WEBHOOK_SECRET' },
          },
        },
        tenants: {
          'tenant-a': [{ destination: 'soar' }],
          'tenant-b': [{ destination: 'broken', changes: ['escalated'] }],
          'tenant-f': [{ destination: 'late' }],
        },
      },
      { SPEC_WEBHOOK_SECRET: SECRET },
    );
  });

  afterAll(async () => {
    await app?.stop();
    await receiver.close();
    await log.close();
  });

  const soarRequests = () => receiver.requests.filter((r) => r.path === '/hooks/soc');

  it('delivers each change of escalated incidents, signed, once per idempotency key across a crash', async () => {
    const events = Array.from({ length: INCIDENTS }, (_, i) =>
      escalatingIncident('tenant-a', `inc-a-${i}`, i),
    ).flat();
    await log.produce(events);
    app = await startApp({ name: 'actions', env: env, portVariable: 'ACTIONS_HTTP_PORT' });
    await waitFor(() => soarRequests().length >= 6, {
      timeoutMs: 60_000,
      describe: 'the first deliveries',
    });
    expect(killProcessesWithEnv('ACTIONS_GROUP_ID', log.groupId).length).toBeGreaterThan(0);
    const beforeCrash = new Set(soarRequests().map((r) => r.headers[IDEMPOTENCY_HEADER]));
    expect(beforeCrash.size).toBeLessThan(INCIDENTS * 3);

    app = await startApp({ name: 'actions', env: env, portVariable: 'ACTIONS_HTTP_PORT' });
    const expected = new Set(
      Array.from({ length: INCIDENTS }, (_, i) =>
        [1, 5, 6].map((seq) => `tenant-a/inc-a-${i}/${seq}`),
      ).flat(),
    );
    await waitFor(
      () => new Set(soarRequests().map((r) => r.headers[IDEMPOTENCY_HEADER])).size >= expected.size,
      { timeoutMs: 90_000, describe: 'every change delivered' },
    );
    await waitForCommittedToEnd(kafka, log);

    const byKey = new Map<string, string[]>();
    for (const request of soarRequests()) {
      const check = verifySignature({
        secret: SECRET,
        header: request.headers[SIGNATURE_HEADER] as string | undefined,
        body: request.body,
        nowSeconds: Math.floor(Date.now() / 1000),
      });
      expect(check).toMatchObject({ valid: true });
      const body = JSON.parse(request.body) as WebhookBodyV1;
      expect(request.headers[IDEMPOTENCY_HEADER]).toBe(body.id);
      byKey.set(body.id, [...(byKey.get(body.id) ?? []), request.body]);
    }
    expect(new Set(byKey.keys())).toEqual(expected);
    // A redelivery is the same change, byte for byte, so receivers may drop it by key.
    for (const bodies of byKey.values()) expect(new Set(bodies).size).toBe(1);

    const escalated = JSON.parse(
      (byKey.get('tenant-a/inc-a-3/5') ?? [])[0] ?? '{}',
    ) as WebhookBodyV1;
    expect(escalated).toMatchObject({
      version: 1,
      type: 'incident.escalated',
      tenantId: 'tenant-a',
      change: { priority: 91, threshold: 80 },
      incident: {
        id: 'inc-a-3',
        priority: 91,
        escalated: true,
        alertCount: 2,
        title: 'Suspicious PowerShell on ws-3',
      },
    });
    expect(escalated.incident.entities).toEqual(
      expect.arrayContaining([{ type: 'host', value: 'ws-3', role: null }]),
    );
  });

  it('dead-letters a change whose receiver keeps failing, with the reason, and moves on', async () => {
    await log.produce([
      ...escalatingIncident('tenant-b', 'inc-b-1', 1),
      ...escalatingIncident('tenant-b', 'inc-b-2', 2),
    ]);
    const letters = await readDeadLetters(kafka, log.deadLetterTopic, 2);
    await waitForCommittedToEnd(kafka, log);

    expect(letters.map((l) => l.headers[ACTIONS_DLQ_HEADERS.idempotencyKey]).sort()).toEqual([
      'tenant-b/inc-b-1/5',
      'tenant-b/inc-b-2/5',
    ]);
    for (const letter of letters) {
      expect(letter.headers).toMatchObject({
        [ACTIONS_DLQ_HEADERS.destination]: 'broken',
        [ACTIONS_DLQ_HEADERS.attempts]: '3',
        [DEAD_LETTER_HEADERS.sourceTopic]: log.topic,
      });
      expect(letter.headers[DEAD_LETTER_HEADERS.reason]).toMatch(
        /answered 503: maintenance \(gave up after 3 attempts\)/,
      );
      expect(letter.value?.length).toBeGreaterThan(5);
    }
    const attempts = receiver.requests.filter((r) => r.path === '/broken');
    expect(attempts).toHaveLength(6);
  });

  it('starts a new consumer group at the end of the log, so history is not sent again', async () => {
    await app?.stop();
    const late: IncidentLog = { ...log, groupId: uniqueName('actions-webhook-late') };
    const historyDeliveries = soarRequests().length;
    app = await startApp({
      name: 'actions',
      env: { ...env, ACTIONS_GROUP_ID: late.groupId, ACTIONS_START_FROM: 'latest' },
      portVariable: 'ACTIONS_HTTP_PORT',
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      await waitFor(
        async () => {
          const [committed] = await admin.fetchOffsets({
            groupId: late.groupId,
            topics: [log.topic],
          });
          return committed?.partitions.every((p) => p.offset !== '-1') ?? false;
        },
        { timeoutMs: 60_000, describe: 'the new group to commit its starting point' },
      );
    } finally {
      await admin.disconnect();
    }
    await log.produce(escalatingIncident('tenant-f', 'inc-f-1', 1));
    await waitForCommittedToEnd(kafka, late);
    const lateKeys = receiver.requests
      .filter((r) => r.path === '/hooks/late')
      .map((r) => r.headers[IDEMPOTENCY_HEADER]);
    expect(new Set(lateKeys)).toEqual(new Set([1, 5, 6].map((seq) => `tenant-f/inc-f-1/${seq}`)));
    expect(soarRequests()).toHaveLength(historyDeliveries);
  });
});
