import { Partitioners, type Producer } from 'kafkajs';
import request from 'supertest';
import type { IncidentEvent } from '@soc/contracts';
import {
  AvroTopicCodec,
  createSchemaRegistry,
  incidentAvroMapping,
  readSchemaFile,
} from '@soc/kafka';
import {
  createSpecTenancy,
  createTopic,
  infraFromEnv,
  projectorEnv,
  testKafka,
  uniqueName,
  waitFor,
  type SpecTenancy,
  type SpecTenant,
  serviceDatabaseEnv,
} from '@soc/testing';
import { startApp, type AppProcess } from '../../../../test/support/app-process';
import { campaignLinked, liveIncident } from '../../../../test/support/incident-events';

const PARTITIONS = 3;
const NOW = Date.now();
const HOUR = 3_600_000;

interface StoryItem {
  storyId: string;
  priority: number | null;
  incidentIds: string[];
  incidentCount: number;
  summary: string;
}

describe('stories in the query API', () => {
  let tenancy: SpecTenancy;
  let a: SpecTenant;
  let b: SpecTenant;
  let api: AppProcess;
  let projector: AppProcess;
  let producer: Producer;

  const get = (key: string, path: string) =>
    request(api.url).get(`/api/v1${path}`).set('x-api-key', key);
  const list = async (key: string, query = '') => {
    const response = await get(key, `/stories${query}`);
    expect(response.status).toBe(200);
    return response.body as { items: StoryItem[]; nextCursor: string | null };
  };

  beforeAll(async () => {
    const infra = infraFromEnv();
    tenancy = await createSpecTenancy('stories_api');
    a = await tenancy.tenant('a');
    b = await tenancy.tenant('b');
    const incidentsTopic = await createTopic(uniqueName('incidents'), PARTITIONS);
    const feedbackTopic = await createTopic(uniqueName('feedback'), PARTITIONS);
    const common = {
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
      DATABASE_URL: tenancy.database.url,
      ...serviceDatabaseEnv(tenancy.database.url),
      TOPIC_PARTITIONS: String(PARTITIONS),
    };
    api = await startApp({
      name: 'query-api',
      env: {
        ...common,
        FEEDBACK_TOPIC: feedbackTopic,
        // A topic of its own: the shared one may have another spec's partition count.
        TENANT_CONFIG_TOPIC: uniqueName('tenant-config'),
      },
      portVariable: 'QUERY_API_HTTP_PORT',
    });
    projector = await startApp({
      name: 'projector',
      env: projectorEnv(common, { incidentsTopic: incidentsTopic, feedbackTopic: feedbackTopic }),
      portVariable: 'PROJECTOR_HTTP_PORT',
    });
    const codec = await AvroTopicCodec.register(
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
    const [t, o] = [a.tenantId, b.tenantId];
    const events: IncidentEvent[] = [
      // Tenant A: s-1 and s-2 are one campaign; s-3 and s-4 stand alone.
      ...liveIncident(t, 's-1', NOW - 3 * HOUR, { priority: 91, hostName: 'dc-01' }),
      ...liveIncident(t, 's-2', NOW - 2 * HOUR, { priority: 64, hostName: 'ws-02' }),
      ...liveIncident(t, 's-3', NOW - HOUR, { priority: 35, hostName: 'ws-03' }),
      ...liveIncident(t, 's-4', NOW - HOUR / 2, { priority: 50, hostName: 'ws-04' }),
      campaignLinked('s-1', 'camp-a', { tenantId: t, sequence: 4, occurredAt: NOW - HOUR }),
      campaignLinked('s-2', 'camp-a', { tenantId: t, sequence: 4, occurredAt: NOW - HOUR }),
      ...liveIncident(o, 'b-1', NOW - 2 * HOUR, { priority: 99, hostName: 'dc-01' }),
      campaignLinked('b-1', 'camp-b', { tenantId: o, sequence: 4, occurredAt: NOW - HOUR }),
    ];
    await producer.send({
      topic: incidentsTopic,
      acks: -1,
      messages: events.map((event) => ({ key: event.partitionKey, value: codec.encode(event) })),
    });
    await waitFor(
      async () =>
        (await list(a.analystKey)).items.length === 3 &&
        (await list(b.analystKey)).items.length === 1,
      { timeoutMs: 60_000, describe: 'both tenants’ stories in the API' },
    );
  });

  afterAll(async () => {
    await producer?.disconnect();
    await projector?.stop();
    await api?.stop();
    await tenancy?.close();
  });

  it('lists one item per story, highest priority first, each tenant only its own', async () => {
    const { items } = await list(a.analystKey);
    expect(items.map((s) => [s.storyId, s.priority, s.incidentIds])).toEqual([
      ['camp-a', 91, ['s-1', 's-2']],
      ['s-4', 50, ['s-4']],
      ['s-3', 35, ['s-3']],
    ]);
    expect(items[0]?.summary).toMatch(
      /^2 incidents joined by campaign links, 4 alerts on 3 hosts, led by incident s-1 at priority 91/,
    );
    expect((await list(b.analystKey)).items.map((s) => s.storyId)).toEqual(['camp-b']);
  });

  it('pages with a cursor and filters by size, priority and time', async () => {
    const first = await list(a.analystKey, '?limit=2');
    expect(first.items.map((s) => s.storyId)).toEqual(['camp-a', 's-4']);
    const second = await list(a.analystKey, `?limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((s) => s.storyId)).toEqual(['s-3']);
    expect(second.nextCursor).toBeNull();
    const ids = async (query: string) =>
      (await list(a.analystKey, query)).items.map((s) => s.storyId);
    expect(await ids('?min_incidents=2')).toEqual(['camp-a']);
    expect(await ids('?priority_min=40&priority_max=60')).toEqual(['s-4']);
    expect(await ids('?sort=last_seen')).toEqual(['s-4', 's-3', 'camp-a']);
    expect(await ids(`?from=${new Date(NOW - 45 * 60_000).toISOString()}`)).toEqual(['s-4']);
  });

  it('shows a story with its member incidents, the links that joined them and the lead’s score', async () => {
    const response = await get(a.analystKey, '/stories/camp-a');
    expect(response.status).toBe(200);
    expect(response.body.story).toMatchObject({
      storyId: 'camp-a',
      campaignId: 'camp-a',
      leadIncidentId: 's-1',
      incidentCount: 2,
      alertCount: 4,
      status: 'open',
    });
    expect(
      (response.body.incidents as { incidentId: string; priority: number }[]).map((i) => [
        i.incidentId,
        i.priority,
      ]),
    ).toEqual([
      ['s-1', 91],
      ['s-2', 64],
    ]);
    expect(response.body.links).toEqual([
      expect.objectContaining({ incidentId: 's-1', reason: 'shared host ws-01' }),
      expect.objectContaining({ incidentId: 's-2', reason: 'shared host ws-01' }),
    ]);
    expect(response.body.leadScore).toMatchObject({ priority: 91, summary: expect.any(String) });
  });

  it('answers 404 for another tenant’s story and 400 naming a bad parameter', async () => {
    const foreign = await get(a.analystKey, '/stories/camp-b');
    expect(foreign.status).toBe(404);
    expect(foreign.body.errors).toEqual([{ path: 'storyId', reason: 'no story camp-b' }]);
    const bad = await get(a.analystKey, '/stories?min_incidents=0&sort=age&entity_type=host');
    expect(bad.status).toBe(400);
    expect((bad.body.errors as { path: string }[]).map((e) => e.path).sort()).toEqual([
      'entity_type',
      'min_incidents',
      'sort',
    ]);
  });

  it('counts alerts per minute for the chart of the last hour, and refuses minutes over a day', async () => {
    const from = new Date(NOW - 4 * HOUR).toISOString();
    const response = await get(a.analystKey, `/stats?from=${from}&bucket=minute`);
    expect(response.status).toBe(200);
    const minutes = response.body.perMinute as { minute: string; alertsIn: number }[];
    // liveIncident's two alerts, a minute apart, for each of the four incidents.
    expect(minutes.map((m) => m.alertsIn)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(response.body.totals).toMatchObject({ alertsIn: 8, incidentsOpened: 4 });
    const tooLong = await get(a.analystKey, `/stats?from=${NOW - 2 * 24 * HOUR}&bucket=minute`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors).toEqual([
      { path: 'bucket', reason: 'minute buckets need a range of at most 24 h' },
    ]);
  });

  it('documents both operations in OpenAPI', async () => {
    const doc = await request(api.url).get('/docs-json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths as object)).toEqual(
      expect.arrayContaining(['/api/v1/stories', '/api/v1/stories/{storyId}']),
    );
  });
});
