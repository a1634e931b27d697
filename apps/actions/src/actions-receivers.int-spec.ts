import type { AlertEntity, IncidentEvent } from '@soc/contracts';
import { infraFromEnv, testKafka, waitFor } from '@soc/testing';
import { startApp, type AppProcess } from '../../../test/support/app-process';
import { startHttpReceiver, type HttpReceiver } from '../../../test/support/http-receiver';
import {
  alertAttached,
  anAlertSummary,
  incidentClosed,
} from '../../../test/support/incident-events';
import { killProcessesWithEnv } from '../../../test/support/process-kill';
import { startTheHiveServer, type TheHiveServer } from '../../../test/support/thehive-server';
import { IDEMPOTENCY_HEADER } from './destinations/destination';
import {
  actionsEnv,
  createIncidentLog,
  escalatingIncident,
  waitForCommittedToEnd,
  type IncidentLog,
} from '../test/spec-support';

const HIVE_KEY = 'spec-thehive-api-key';
const INCIDENTS = 4;
const domain = (value: string): AlertEntity => ({
  type: 'domain',
  value,
  role: null,
  hashAlgorithm: null,
});

/** Escalates, then gains an alert with a new entity, then closes: three changes for TheHive. */
function escalatedThenGrowing(incidentId: string, index: number): IncidentEvent[] {
  const tenantId = 'tenant-c';
  const escalated = escalatingIncident(tenantId, incidentId, index).slice(0, 5);
  const late = anAlertSummary({
    alertId: `${incidentId}-a3`,
    entities: [domain(`c2-${index}.example`)],
  });
  return [
    ...escalated,
    alertAttached(incidentId, late, { tenantId, sequence: 6 }),
    incidentClosed(incidentId, 'window-expired', { tenantId, sequence: 7 }),
  ];
}

describe('actions service: Slack and TheHive', () => {
  const infra = infraFromEnv();
  const kafka = testKafka();
  let log: IncidentLog;
  let slack: HttpReceiver;
  let hive: TheHiveServer;
  let app: AppProcess | null = null;

  beforeAll(async () => {
    log = await createIncidentLog(kafka, infra, 'actions-receivers');
    slack = await startHttpReceiver(() => ({ status: 200, body: 'ok', delayMs: 400 }));
    hive = await startTheHiveServer(HIVE_KEY);
  });

  afterAll(async () => {
    await app?.stop();
    await slack.close();
    await hive.close();
    await log.close();
  });

  it('posts each escalation to Slack and keeps one TheHive alert per incident up to date, across a crash', async () => {
    const env = actionsEnv(
      infra,
      log,
      {
        version: 1,
        destinations: {
          chat: { type: 'slack', url: { env: 'SPEC_SLACK_URL' } },
          hive: {
            type: 'thehive',
            url: hive.url,
            apiKey: { env: 'SPEC_HIVE_KEY' },
            organisation: 'acme',
          },
        },
        tenants: {
          'tenant-c': [{ destination: 'hive' }, { destination: 'chat', minPriority: 80 }],
        },
      },
      { SPEC_SLACK_URL: `${slack.url}/services/T000/B000/XXXX`, SPEC_HIVE_KEY: HIVE_KEY },
    );
    await log.produce(
      Array.from({ length: INCIDENTS }, (_, i) => escalatedThenGrowing(`inc-c-${i}`, i)).flat(),
    );
    app = await startApp({ name: 'actions', env: env, portVariable: 'ACTIONS_HTTP_PORT' });
    await waitFor(() => slack.requests.length >= 1, {
      timeoutMs: 60_000,
      describe: 'a first Slack post',
    });
    expect(killProcessesWithEnv('ACTIONS_GROUP_ID', log.groupId).length).toBeGreaterThan(0);
    expect(slack.requests.length).toBeLessThan(INCIDENTS);

    app = await startApp({ name: 'actions', env: env, portVariable: 'ACTIONS_HTTP_PORT' });
    await waitForCommittedToEnd(kafka, log);

    const slackKeys = slack.requests.map((r) => r.headers[IDEMPOTENCY_HEADER]);
    expect(new Set(slackKeys)).toEqual(
      new Set(Array.from({ length: INCIDENTS }, (_, i) => `tenant-c/inc-c-${i}/5`)),
    );
    const message = JSON.parse(slack.requests[0]?.body ?? '{}') as {
      text: string;
      blocks: { type: string; text?: { text: string } }[];
    };
    expect(message.text).toMatch(/^\[SOC P91\] Suspicious PowerShell on ws-\d$/);
    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);

    expect(hive.alerts.map((a) => a.sourceRef).sort()).toEqual(
      Array.from({ length: INCIDENTS }, (_, i) => `tenant-c/inc-c-${i}`),
    );
    for (const [i, alert] of hive.alerts.map((a) => [Number(a.sourceRef.slice(-1)), a] as const)) {
      expect(alert).toMatchObject({ type: 'soc-incident', source: 'soc-assistant', severity: 4 });
      expect(alert.tags).toEqual(
        expect.arrayContaining(['soc:tenant=tenant-c', 'soc:closed=window-expired']),
      );
      expect(alert.observables).toEqual(
        expect.arrayContaining([
          { dataType: 'hostname', data: `ws-${i}` },
          { dataType: 'ip', data: '10.0.0.5' },
          { dataType: 'domain', data: `c2-${i}.example` },
        ]),
      );
    }
    expect(hive.requests.every((r) => r.headers['x-organisation'] === 'acme')).toBe(true);
  });
});
