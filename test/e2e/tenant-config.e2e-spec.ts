// Tenant configuration on the real stack: the query API, the correlator and the projector run as
// processes. A change through the admin API reaches the running correlator through
// soc.tenant-config.v1, outlives a correlator restart, and never touches another tenant; an
// admin accepts a suppression proposal on the dashboard in headless Chromium and the next
// matching alert is suppressed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { countedAlertIds, type CanonicalAlert, type IncidentEvent } from '@soc/contracts';
import { generateLabeledAlerts } from '@soc/domain';
import { createSchemaRegistry, type AvroTopicCodec } from '@soc/kafka';
import { newApiKeyMaterial } from '@soc/persistence';
import {
  connectIdempotentProducer,
  correlatorEnv,
  createMigratedSpecDatabase,
  infraFromEnv,
  produceAlerts,
  stackEnv,
  startIncidentCollector,
  testKafka,
  uniqueName,
  waitFor,
  type SpecDatabase,
} from '@soc/testing';
import { startApp, type AppProcess } from '../support/app-process';

const PARTITIONS = 2;
const MIN = 60_000;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const template = generateLabeledAlerts({ seed: 'tenant-config', tenants: 1, alertCount: 1 })[0]!
  .alert;
/** Event times start three hours back and only move forward, so no alert arrives late. */
const T0 = Date.now() - 3 * 60 * MIN;

type Event<T extends IncidentEvent['type']> = Extract<IncidentEvent, { type: T }>;

describe('tenant configuration through the admin API', () => {
  const name = uniqueName('tenant-config');
  const infra = infraFromEnv();
  const platformKey = newApiKeyMaterial().apiKey;
  const events: IncidentEvent[] = [];
  const keys: Record<string, { admin: string; analyst: string }> = {};
  let database: SpecDatabase;
  let kafka: Kafka;
  let producer: Producer;
  let collector: Consumer;
  let alertCodec: AvroTopicCodec<CanonicalAlert>;
  let correlator: AppProcess;
  let projector: AppProcess;
  let api: AppProcess;
  const env = () => ({
    ...correlatorEnv(infra, database.url, name, PARTITIONS),
    CORRELATOR_FLUSH_INTERVAL: '20ms',
  });

  const call = async (
    method: string,
    path: string,
    key: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${api.url}/api/v1${path}`, {
      method,
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  };

  const createTenant = async (tenantId: string): Promise<void> => {
    const created = await call('POST', '/admin/tenants', platformKey, {
      tenant_id: tenantId,
      name: tenantId,
    });
    const admin = (created.body['adminKey'] as { apiKey: string }).apiKey;
    const analyst = await call('POST', `/admin/tenants/${tenantId}/api-keys`, admin, {
      role: 'analyst',
      name: 'alice',
    });
    keys[tenantId] = { admin, analyst: analyst.body['apiKey'] as string };
  };

  let serial = 0;
  const send = async (
    tenantId: string,
    {
      at,
      rule = 'R-recon',
      hostName = 'ws-01',
      tactics = ['discovery'],
    }: { at: number; rule?: string; hostName?: string; tactics?: string[] },
  ): Promise<string> => {
    serial += 1;
    const alertId = `${tenantId}-alert-${serial}`;
    const alert: CanonicalAlert = {
      ...template,
      tenantId,
      alertId,
      ruleId: rule,
      ruleName: rule,
      title: `${rule} on ${hostName}`,
      observedAt: T0 + at * MIN,
      ingestedAt: Date.now(),
      tactics,
      techniques: [],
      entities: [{ type: 'host', value: hostName, role: null, hashAlgorithm: null }],
      threatIntel: [],
    };
    await produceAlerts(producer, `${name}.alerts`, alertCodec, [alert], PARTITIONS);
    return alertId;
  };

  /** The first event about an alert: opened, attached, counted as a repeat, or suppressed. */
  const outcomeOf = (alertId: string) =>
    waitFor(
      () =>
        events.find(
          (e) =>
            (e.type === 'IncidentOpened' && e.data.firstAlert.alertId === alertId) ||
            ((e.type === 'AlertAttached' || e.type === 'AlertSuppressed') &&
              e.data.alert.alertId === alertId) ||
            (e.type === 'IncidentRepeatsCounted' && countedAlertIds(e.data).includes(alertId)),
        ),
      { timeoutMs: 60_000, describe: `the correlator's decision on ${alertId}` },
    );

  const policyApplied = (tenantId: string, version: number) =>
    waitFor(
      () =>
        events.find(
          (e): e is Event<'TenantPolicyApplied'> =>
            e.type === 'TenantPolicyApplied' &&
            e.tenantId === tenantId &&
            e.data.version === version,
        ),
      { timeoutMs: 60_000, describe: `${tenantId} version ${version} in the incident log` },
    );

  const putConfig = (tenantId: string, body: unknown, key = keys[tenantId]?.admin ?? '') =>
    call('PUT', '/admin/tenant-config', key, body);

  beforeAll(async () => {
    database = await createMigratedSpecDatabase('tenant_config');
    kafka = testKafka();
    producer = await connectIdempotentProducer(kafka);
    const common = stackEnv({ infra, databaseUrl: database.url, partitions: PARTITIONS });
    api = await startApp({
      name: 'query-api',
      env: {
        ...common,
        FEEDBACK_TOPIC: `${name}.feedback`,
        TENANT_CONFIG_TOPIC: `${name}.tenant-config`,
        BOOTSTRAP_ADMIN_KEY: platformKey,
      },
      portVariable: 'QUERY_API_HTTP_PORT',
    });
    correlator = await startApp({
      name: 'correlator',
      env: env(),
      portVariable: 'CORRELATOR_HTTP_PORT',
    });
    projector = await startApp({
      name: 'projector',
      env: {
        ...common,
        PROJECTOR_INCIDENTS_TOPIC: `${name}.incidents`,
        PROJECTOR_FEEDBACK_TOPIC: `${name}.feedback`,
        PROJECTOR_GROUP_ID: `${name}-projector`,
        PROJECTOR_MAX_WAIT: '50ms',
      },
      portVariable: 'PROJECTOR_HTTP_PORT',
    });
    ({ alertCodec, collector } = await startIncidentCollector({
      kafka,
      registry: createSchemaRegistry(infra.schemaRegistryUrl),
      topics: { alerts: `${name}.alerts`, incidents: `${name}.incidents` },
      groupPrefix: 'tenant-config-reader',
      onEvent: (event) => events.push(event),
    }));
    for (const tenantId of ['acme', 'globex', 'initech']) await createTenant(tenantId);
  }, 240_000);

  afterAll(async () => {
    await collector?.disconnect();
    await producer?.disconnect();
    await projector?.stop();
    await correlator?.stop();
    await api?.stop();
    await database?.drop();
  });

  it('changes the window and the suppressions the running correlator applies, outlives its restart, and leaves other tenants alone', async () => {
    const oneMinute = { correlation: { windowMs: MIN } };
    const saved = await putConfig('acme', {
      version: 0,
      reason: 'bursty hosts',
      config: oneMinute,
    });
    expect(saved).toMatchObject({ status: 200, body: { tenantId: 'acme', version: 1 } });
    await policyApplied('acme', 1);

    // Five minutes apart: one incident under the default 15-minute window, two under one minute.
    expect((await outcomeOf(await send('acme', { at: 0 }))).type).toBe('IncidentOpened');
    expect((await outcomeOf(await send('acme', { at: 5 }))).type).toBe('IncidentOpened');
    expect((await outcomeOf(await send('globex', { at: 0 }))).type).toBe('IncidentOpened');
    expect((await outcomeOf(await send('globex', { at: 5 }))).type).toBe('IncidentRepeatsCounted');

    await correlator.stop();
    correlator = await startApp({
      name: 'correlator',
      env: env(),
      portVariable: 'CORRELATOR_HTTP_PORT',
    });
    expect((await outcomeOf(await send('acme', { at: 20 }))).type).toBe('IncidentOpened');
    expect((await outcomeOf(await send('acme', { at: 25 }))).type).toBe('IncidentOpened');
    expect((await outcomeOf(await send('globex', { at: 20 }))).type).toBe('IncidentOpened');
    expect((await outcomeOf(await send('globex', { at: 25 }))).type).toBe('IncidentRepeatsCounted');

    const quiet = { id: 'quiet-backup', reason: 'the nightly backup job', ruleIds: ['R-backup'] };
    const withSuppression = { correlation: { ...oneMinute.correlation, suppressions: [quiet] } };
    expect(
      await putConfig('acme', { version: 1, reason: 'backup noise', config: withSuppression }),
    ).toMatchObject({
      status: 200,
      body: { version: 2 },
    });
    await policyApplied('acme', 2);
    const suppressed = (await outcomeOf(
      await send('acme', { at: 30, rule: 'R-backup' }),
    )) as Event<'AlertSuppressed'>;
    expect(suppressed.type).toBe('AlertSuppressed');
    expect(suppressed.data.suppressionRuleId).toBe('quiet-backup');
    expect((await outcomeOf(await send('globex', { at: 30, rule: 'R-backup' }))).type).not.toBe(
      'AlertSuppressed',
    );
    // Exactly once across the restart: each version is in the log once.
    expect(
      events.filter((e) => e.type === 'TenantPolicyApplied' && e.tenantId === 'acme'),
    ).toHaveLength(2);

    // The audit: who changed what, when and why, as the correlator took it in.
    const history = await waitFor(
      async () => {
        const { body } = await call('GET', '/admin/tenant-config', keys['acme']!.admin);
        return (body['history'] as unknown[]).length === 2 ? body : undefined;
      },
      { timeoutMs: 30_000, describe: 'both versions in the projected history' },
    );
    expect(history).toMatchObject({
      version: 2,
      changedBy: 'admin:acme admin',
      config: withSuppression,
      history: [
        {
          version: 2,
          reason: 'backup noise',
          change: 'edited',
          changedBy: 'admin:acme admin',
          problems: [],
        },
        { version: 1, reason: 'bursty hosts', policy: { windowMs: MIN } },
      ],
    });
    const other = await call('GET', '/admin/tenant-config', keys['globex']!.admin);
    expect(other.body).toMatchObject({ tenantId: 'globex', version: 0, history: [] });
  }, 300_000);

  it('answers 409 on a stale version, 400 naming the field, 403 to analysts, and shows the schema in OpenAPI', async () => {
    const stale = await putConfig('globex', { version: 3, reason: 'x', config: {} });
    expect(stale.status).toBe(409);
    expect(stale.body['errors']).toEqual([expect.objectContaining({ path: 'version' })]);

    const shape = await putConfig('globex', {
      version: 0,
      reason: 'x',
      config: { correlation: { windowMs: 'soon' } },
    });
    expect(shape.status).toBe(400);
    expect(shape.body['errors']).toEqual([
      expect.objectContaining({ path: 'config.correlation.windowMs' }),
    ]);
    const clash = await putConfig('globex', {
      version: 0,
      reason: 'x',
      config: { correlation: { windowMs: 60 * MIN, maxIncidentSpanMs: MIN } },
    });
    expect(clash.status).toBe(400);
    expect(clash.body['errors']).toEqual([
      { path: 'config.correlation.maxIncidentSpanMs', reason: 'must be at least windowMs' },
    ]);
    const analyst = await putConfig(
      'globex',
      { version: 0, reason: 'x', config: {} },
      keys['globex']!.analyst,
    );
    expect(analyst.status).toBe(403);
    expect(
      (await call('GET', '/admin/suppression-proposals', keys['globex']!.analyst)).status,
    ).toBe(403);
    expect((await call('GET', '/admin/tenant-config', keys['globex']!.admin)).body['version']).toBe(
      0,
    );

    const document = (await (await fetch(`${api.url}/docs-json`)).json()) as {
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>
      >;
    };
    const put = document.paths['/api/v1/admin/tenant-config']?.['put'];
    expect(put?.requestBody?.content['application/json']?.schema).toMatchObject({
      properties: {
        config: { properties: { correlation: { properties: { windowMs: { type: 'integer' } } } } },
      },
    });
  }, 120_000);

  describe('on the dashboard, in headless Chromium', () => {
    let context: BrowserContext;
    let page: Page;
    let userDataDir: string;

    beforeAll(async () => {
      userDataDir = await mkdtemp(join(tmpdir(), 'soc-chromium-'));
      context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--no-first-run',
          '--disable-background-networking',
        ],
      });
      page = context.pages()[0] ?? (await context.newPage());
    });

    afterAll(async () => {
      await context?.close();
      if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    });

    it('lets an admin preview and accept a suppression proposal, and the next matching alert is suppressed', async () => {
      const initech = keys['initech']!;
      // Five scanner incidents, 20 minutes apart, each closed as a false positive by an analyst.
      for (let n = 0; n < 5; n += 1) {
        const opened = (await outcomeOf(
          await send('initech', { at: n * 20, rule: 'R-scan', hostName: 'scanner-01' }),
        )) as Event<'IncidentOpened'>;
        expect(opened.type).toBe('IncidentOpened');
        await waitFor(
          async () =>
            (await call('GET', `/incidents/${opened.data.incidentId}`, initech.analyst)).status ===
            200,
          { timeoutMs: 30_000, describe: `incident ${opened.data.incidentId} projected` },
        );
        const verdict = await call(
          'POST',
          `/incidents/${opened.data.incidentId}/verdict?wait=true`,
          initech.analyst,
          {
            verdict: 'false_positive',
            notes: 'the vulnerability scanner',
          },
        );
        expect(verdict.status).toBe(200);
      }

      await page.goto(`${api.url}/dashboard/admin.html`);
      await page.fill('#api-key', initech.admin);
      await page.click('[data-testid=login] button[type=submit]');
      await page.waitForSelector('[data-testid=config-version]:has-text("version 0")');

      // An invalid edit is refused with the field named.
      await page.fill(
        '[data-testid=config-text]',
        JSON.stringify({ correlation: { windowMs: -1 } }),
      );
      await page.fill('[data-testid=config-reason]', 'try a negative window');
      await page.click('[data-testid=config-form] button[type=submit]');
      await page.waitForSelector(
        '[data-testid=config-errors] li[data-path="config.correlation.windowMs"]',
      );

      const proposal = page
        .locator('[data-proposal-id]', { hasText: 'on host scanner-01' })
        .first();
      await proposal.waitFor({ timeout: 30_000 });
      const proposalId = (await proposal.getAttribute('data-proposal-id')) as string;
      const preview = await proposal.locator('[data-testid=preview]').textContent();
      expect(preview).toContain('Would have folded 5 alerts; 5 of 5 incidents entirely.');
      expect(preview).toContain('5 closed as false positive; no true positive among them.');
      await proposal.locator('[data-testid=proposal-reason]').fill('the scanner is known');
      await proposal.locator('[data-action=accept]').click();
      await page.waitForSelector('[data-testid=config-version]:has-text("version 1")');
      expect(await page.locator(`[data-proposal-id="${proposalId}"]`).count()).toBe(0);

      const applied = await policyApplied('initech', 1);
      expect(applied.data).toMatchObject({
        change: 'suppression-accepted',
        proposalId,
        reason: 'the scanner is known',
      });
      const next = (await outcomeOf(
        await send('initech', { at: 120, rule: 'R-scan', hostName: 'scanner-01' }),
      )) as Event<'AlertSuppressed'>;
      expect(next.type).toBe('AlertSuppressed');
      expect(next.data.suppressionRuleId).toBe(proposalId);
      // Another host is not the pattern: still correlated.
      expect(
        (await outcomeOf(await send('initech', { at: 121, rule: 'R-scan', hostName: 'ws-09' })))
          .type,
      ).toBe('IncidentOpened');
      // The history is the projection of what the correlator took in: it follows on a reload.
      await waitFor(
        async () => {
          await page.reload();
          await page.waitForSelector('[data-testid=config-version]:has-text("version 1")');
          return (await page.locator('[data-testid=history] tr[data-version="1"]').count()) === 1;
        },
        { timeoutMs: 30_000, intervalMs: 1_000, describe: 'version 1 in the history on the page' },
      );
      expect(await page.locator('[data-testid=history]').textContent()).toContain(
        'suppression-accepted',
      );
    }, 300_000);
  });
});
