// The dashboard in real headless Chromium against the real services: the query API and the
// projector run as processes, incident events go into Kafka, analyst clicks come back through
// Kafka and the projector.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Partitioners, type Producer } from 'kafkajs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { IncidentEvent } from '@soc/contracts';
import {
  AvroTopicCodec,
  createSchemaRegistry,
  incidentAvroMapping,
  readSchemaFile,
} from '@soc/kafka';
import { newApiKeyMaterial } from '@soc/persistence';
import {
  createSpecDatabase,
  createTopic,
  infraFromEnv,
  projectorEnv,
  stackEnv,
  testKafka,
  uniqueName,
  waitFor,
  type SpecDatabase,
} from '@soc/testing';
import { startApp, type AppProcess } from '../support/app-process';
import { campaignLinked, incidentEscalated, liveIncident } from '../support/incident-events';

const PARTITIONS = 3;
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

describe('dashboard in headless Chromium', () => {
  let database: SpecDatabase;
  let api: AppProcess;
  let projector: AppProcess;
  let producer: Producer;
  let codec: AvroTopicCodec<IncidentEvent>;
  let incidentsTopic: string;
  let analystKey: string;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  const adminKey = newApiKeyMaterial().apiKey;
  const now = Date.now();

  const produce = async (events: readonly IncidentEvent[]): Promise<void> => {
    await producer.send({
      topic: incidentsTopic,
      acks: -1,
      messages: events.map((event) => ({ key: event.partitionKey, value: codec.encode(event) })),
    });
  };

  const post = async (
    path: string,
    key: string,
    body: unknown,
  ): Promise<Record<string, unknown>> => {
    const response = await fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok)
      throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    const infra = infraFromEnv();
    database = await createSpecDatabase('dashboard');
    incidentsTopic = await createTopic(uniqueName('incidents'), PARTITIONS);
    const feedbackTopic = await createTopic(uniqueName('feedback'), PARTITIONS);
    const common = stackEnv({ infra, databaseUrl: database.url, partitions: PARTITIONS });
    api = await startApp({
      name: 'query-api',
      env: {
        ...common,
        FEEDBACK_TOPIC: feedbackTopic,
        // A topic of its own: the shared one may have another spec's partition count.
        TENANT_CONFIG_TOPIC: uniqueName('tenant-config'),
        BOOTSTRAP_ADMIN_KEY: adminKey,
      },
      portVariable: 'QUERY_API_HTTP_PORT',
    });
    projector = await startApp({
      name: 'projector',
      env: projectorEnv(common, { incidentsTopic: incidentsTopic, feedbackTopic: feedbackTopic }),
      portVariable: 'PROJECTOR_HTTP_PORT',
    });
    const tenant = await post('/api/v1/admin/tenants', adminKey, {
      tenant_id: 'acme',
      name: 'ACME',
    });
    const acmeAdmin = (tenant.adminKey as { apiKey: string }).apiKey;
    analystKey = (
      await post('/api/v1/admin/tenants/acme/api-keys', acmeAdmin, {
        role: 'analyst',
        name: 'alice',
      })
    ).apiKey as string;
    await post('/api/v1/admin/assets', acmeAdmin, [
      { entity_type: 'host', value: 'dc-01', criticality: 5, owner: 'identity', tags: ['tier0'] },
      { entity_type: 'host', value: 'ws-07', criticality: 3, owner: 'finance', tags: ['laptop'] },
    ]);
    await post('/api/v1/admin/tenants', adminKey, { tenant_id: 'other', name: 'Other' });

    codec = await AvroTopicCodec.register(
      createSchemaRegistry(infra.schemaRegistryUrl),
      incidentsTopic,
      readSchemaFile('incidents'),
      incidentAvroMapping,
    );
    producer = testKafka().producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
    });
    await producer.connect();
    // A few hours of history, so the overview has something to draw.
    const history: IncidentEvent[] = [];
    for (let hour = 1; hour <= 8; hour += 1) {
      history.push(
        ...liveIncident('acme', `hist-${hour}`, now - hour * 3_600_000 - 600_000, {
          priority: 25 + hour * 8,
          hostName: `ws-1${hour}`,
        }),
      );
    }
    history.push(
      incidentEscalated('hist-8', 89, {
        tenantId: 'acme',
        sequence: 4,
        occurredAt: now - 8 * 3_600_000,
      }),
    );
    // hist-7 and hist-6 are one attack story.
    for (const hour of [7, 6]) {
      history.push(
        campaignLinked(`hist-${hour}`, 'camp-42', {
          tenantId: 'acme',
          sequence: 4,
          occurredAt: now - 6 * 3_600_000,
        }),
      );
    }
    history.push(
      ...liveIncident('other', 'other-1', now - 3_600_000, {
        priority: 99,
        title: 'OTHER TENANT — must not show',
      }),
    );
    await produce(history);

    userDataDir = await mkdtemp(join(tmpdir(), 'soc-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1440, height: 1100 },
    });
    page = context.pages()[0] ?? (await context.newPage());
  });

  afterAll(async () => {
    await context?.close();
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    await producer?.disconnect();
    await projector?.stop();
    await api?.stop();
    await database?.drop();
  });

  it('shows a live incident, takes a verdict back through Kafka and the projector, and looks right', async () => {
    await page.goto(`${api.url}/dashboard/`);
    await page.fill('#api-key', analystKey);
    await page.click('[data-testid=login] button[type=submit]');
    await page.waitForSelector('[data-incident-id="hist-8"]', { timeout: 30_000 });
    expect(page.url()).not.toContain(analystKey);
    expect(await page.locator('[data-incident-id="other-1"]').count()).toBe(0);
    await page.waitForSelector('.live.live', { timeout: 15_000 });
    await page.evaluate(() => Object.assign(globalThis, { socNoReload: true }));

    // An incident produced now appears without a reload, at the top of the priority queue.
    await produce(
      liveIncident('acme', 'live-1', Date.now() - 120_000, {
        priority: 94,
        hostName: 'dc-01',
        title: 'Kerberoasting from ws-07 against dc-01',
      }),
    );
    const row = page.locator('[data-incident-id="live-1"]');
    await row.waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => (globalThis as { socNoReload?: boolean }).socNoReload)).toBe(
      true,
    );
    expect(await page.locator('.incidents > li').first().getAttribute('data-incident-id')).toBe(
      'live-1',
    );

    await row.click();
    await page.waitForSelector('[data-testid="detail-title"]:has-text("Kerberoasting")');
    await page.waitForSelector('[data-testid="score"] svg rect');
    expect(await page.locator('[data-testid="alerts"] li').count()).toBe(2);
    expect(await page.locator('[data-testid="entities"]').textContent()).toContain('criticality 5');
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-incident.png'), fullPage: true });

    // The verdict goes out as an event; the status comes back from the projection.
    await page.fill('[data-testid="notes"]', 'confirmed with the identity team');
    await page.click('[data-verdict="true_positive"]');
    await page.waitForSelector('[data-testid="detail-status"]:has-text("closed")', {
      timeout: 30_000,
    });
    expect(await page.locator('[data-testid="detail-verdict"]').textContent()).toBe(
      'true positive',
    );
    expect(await page.locator('[data-testid="audit"]').textContent()).toContain(
      'Closed as true positive: confirmed with the identity team',
    );
    expect(await page.locator('[data-testid="audit"]').textContent()).toContain('analyst:alice');

    const response = await fetch(`${api.url}/api/v1/incidents/live-1`, {
      headers: { 'x-api-key': analystKey },
    });
    const detail = (await response.json()) as {
      incident: { status: string; verdict: string; lastFeedbackSeq: number };
    };
    expect(detail.incident).toMatchObject({
      status: 'closed',
      verdict: 'true_positive',
      lastFeedbackSeq: 1,
    });

    // The closed incident leaves the active queue on the live update.
    await waitFor(async () => (await page.locator('[data-incident-id="live-1"]').count()) === 0, {
      timeoutMs: 15_000,
      describe: 'the closed incident to leave the active queue',
    });
    await page.waitForSelector(
      '[data-testid="noise-chart"] svg rect.alerts-bar:not([height="0"])',
      { state: 'attached' },
    );
    // The chart starts with the last hour per minute; over 24 h it counts the history too.
    await page.selectOption('[data-testid=range]', '24');
    // The overview follows the live updates too: 8 + 1 incidents from 16 + 2 alerts.
    await waitFor(
      async () =>
        (await page.locator('[data-testid="figures"]').textContent())?.includes('18alerts in'),
      { timeoutMs: 15_000, describe: 'the overview to count the live incident' },
    );
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  });

  it('shows attack stories as queue items, each unfolding into its member incidents', async () => {
    await page.selectOption('[data-testid=view]', 'stories');
    const story = page.locator('[data-story-id="camp-42"]');
    await story.waitFor({ timeout: 15_000 });
    expect(await story.locator('[data-testid=story-meta]').textContent()).toMatch(
      /^2 incidents · 4 alerts · /,
    );
    // Stories rank by their most urgent member: camp-42 (hist-7 at 81) comes right after hist-8 (89).
    const order = await page
      .locator('.incidents > li.story')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-story-id')));
    expect(order.slice(0, 2)).toEqual(['hist-8', 'camp-42']);
    expect(order).not.toContain('hist-7');
    await story.locator('.incident').first().click();
    await story.locator('[data-testid=story-body] [data-incident-id="hist-6"]').waitFor();
    expect(
      await story
        .locator('[data-testid=story-body] [data-incident-id]')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-incident-id'))),
    ).toEqual(['hist-7', 'hist-6']);
    await story.locator('[data-incident-id="hist-6"]').click();
    await waitFor(async () => new URL(page.url()).searchParams.get('incident') === 'hist-6', {
      timeoutMs: 10_000,
      describe: 'the member incident to open in the detail',
    });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-stories.png'), fullPage: true });
  });
});
