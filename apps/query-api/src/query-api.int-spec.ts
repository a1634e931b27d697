import type { AddressInfo } from 'node:net';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Partitioners, type Kafka, type KafkaMessage, type Producer } from 'kafkajs';
import request from 'supertest';
import type { FeedbackEvent, IncidentEvent } from '@soc/contracts';
import {
  AvroTopicCodec,
  createSchemaRegistry,
  feedbackAvroMapping,
  incidentAvroMapping,
  readSchemaFile,
} from '@soc/kafka';
import { createLogger } from '@soc/observability';
import { newApiKeyMaterial, openDataSource, selectRows } from '@soc/persistence';
import {
  createSpecDatabase,
  createTopic,
  infraFromEnv,
  specInfraConfig,
  testKafka,
  uniqueName,
  waitFor,
  type SpecDatabase,
  serviceDatabaseEnv,
} from '@soc/testing';
import { startApp, type AppProcess } from '../../../test/support/app-process';
import { openStream } from '../../../test/support/sse-client';
import {
  anAlertSummary,
  host,
  incidentMergedInto,
  incidentOpened,
  incidentScored,
  incidentsMerged,
  liveIncident,
} from '../../../test/support/incident-events';
import { DEFAULT_QUERY_API_LIMITS, type QueryApiConfig } from './query-api.config';
import { createQueryApiApp } from './query-api.module';

const logger = createLogger('query-api-spec', 'warn');
const PARTITIONS = 3;
const NOW = Date.now();

describe('query API over the projected read model', () => {
  let database: SpecDatabase;
  let kafka: Kafka;
  let producer: Producer;
  let incidentCodec: AvroTopicCodec<IncidentEvent>;
  let app: NestExpressApplication;
  let projector: AppProcess;
  let api: string;
  let config: QueryApiConfig;
  const bootstrapKey = newApiKeyMaterial().apiKey;
  const keys: Record<'adminA' | 'analystA' | 'ingestA' | 'analystB' | 'adminB', string> = {
    adminA: '',
    analystA: '',
    ingestA: '',
    analystB: '',
    adminB: '',
  };

  const produceIncidents = async (events: readonly IncidentEvent[]): Promise<void> => {
    await producer.send({
      topic: incidentsTopic,
      acks: -1,
      messages: events.map((event) => ({
        key: event.partitionKey,
        value: incidentCodec.encode(event),
      })),
    });
  };
  let incidentsTopic = '';

  const listFor = async (key: string, query = '') => {
    const response = await request(api).get(`/api/v1/incidents${query}`).set('x-api-key', key);
    expect(response.status).toBe(200);
    return response.body as {
      items: { incidentId: string; status: string; priority: number | null; lastSeen: string }[];
      nextCursor: string | null;
    };
  };

  beforeAll(async () => {
    database = await createSpecDatabase('query_api');
    kafka = testKafka();
    const infra = infraFromEnv();
    incidentsTopic = await createTopic(uniqueName('incidents'), PARTITIONS);
    const feedbackTopic = await createTopic(uniqueName('feedback'), PARTITIONS);
    config = {
      infra: specInfraConfig(infra, database.url, PARTITIONS, 'query'),
      httpPort: 0,
      feedbackTopic,
      feedbackEncoding: 'avro',
      tenantConfigTopic: await createTopic(uniqueName('tenant-config'), PARTITIONS),
      migrate: true,
      databasePoolSize: 5,
      projectionWaitMs: 20_000,
      platformTenantId: 'platform',
      bootstrapAdminKey: bootstrapKey,
      apiKeyCacheMs: 0,
      apiKeyOutageGraceMs: 0,
      oidc: null,
      limits: DEFAULT_QUERY_API_LIMITS,
    };
    app = await createQueryApiApp(config, logger);
    await app.listen(0, '127.0.0.1');
    api = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    projector = await startApp({
      name: 'projector',
      env: {
        KAFKA_BROKERS: infra.kafkaBrokers.join(','),
        SCHEMA_REGISTRY_URL: infra.schemaRegistryUrl,
        DATABASE_URL: database.url,
        ...serviceDatabaseEnv(database.url),
        TOPIC_PARTITIONS: String(PARTITIONS),
        PROJECTOR_INCIDENTS_TOPIC: incidentsTopic,
        PROJECTOR_FEEDBACK_TOPIC: feedbackTopic,
        PROJECTOR_GROUP_ID: uniqueName('projector'),
        PROJECTOR_MAX_WAIT: '50ms',
      },
      portVariable: 'PROJECTOR_HTTP_PORT',
    });

    // Tenants and keys through the admin API, as an operator would.
    for (const tenant of ['tenant-a', 'tenant-b'] as const) {
      const created = await request(api)
        .post('/api/v1/admin/tenants')
        .set('x-api-key', bootstrapKey)
        .send({ tenant_id: tenant, name: tenant });
      expect(created.status).toBe(201);
      const adminKey = (created.body as { adminKey: { apiKey: string } }).adminKey.apiKey;
      const analyst = await request(api)
        .post(`/api/v1/admin/tenants/${tenant}/api-keys`)
        .set('x-api-key', adminKey)
        .send({ role: 'analyst', name: `alice-${tenant}` });
      expect(analyst.status).toBe(201);
      if (tenant === 'tenant-a') {
        keys.adminA = adminKey;
        keys.analystA = (analyst.body as { apiKey: string }).apiKey;
        const ingest = await request(api)
          .post('/api/v1/admin/tenants/tenant-a/api-keys')
          .set('x-api-key', adminKey)
          .send({ role: 'ingest', name: 'relay' });
        keys.ingestA = (ingest.body as { apiKey: string }).apiKey;
      } else {
        keys.adminB = adminKey;
        keys.analystB = (analyst.body as { apiKey: string }).apiKey;
      }
    }

    const registry = createSchemaRegistry(infra.schemaRegistryUrl);
    incidentCodec = await AvroTopicCodec.register(
      registry,
      incidentsTopic,
      readSchemaFile('incidents'),
      incidentAvroMapping,
    );
    producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
    });
    await producer.connect();
    await produceIncidents([
      ...liveIncident('tenant-a', 'a-1', NOW - 3 * 3_600_000, {
        priority: 91,
        hostName: 'dc-01',
        title: 'Kerberoasting against dc-01',
      }),
      ...liveIncident('tenant-a', 'a-2', NOW - 2 * 3_600_000, { priority: 64, hostName: 'ws-02' }),
      ...liveIncident('tenant-a', 'a-3', NOW - 1 * 3_600_000, { priority: 35, hostName: 'ws-03' }),
      ...liveIncident('tenant-a', 'a-4', NOW - 30 * 60_000, { priority: 50, hostName: 'ws-04' }),
      ...liveIncident('tenant-b', 'b-1', NOW - 2 * 3_600_000, {
        priority: 99,
        hostName: 'dc-01',
        title: 'Tenant B secret incident',
      }),
    ]);
    await waitFor(
      async () =>
        (await listFor(keys.analystA)).items.length === 4 &&
        (await listFor(keys.analystB)).items.length === 1,
      {
        timeoutMs: 60_000,
        describe: 'both tenants’ incidents in the API',
      },
    );
  });

  afterAll(async () => {
    await projector?.stop();
    await app?.close();
    await producer?.disconnect();
    await database?.drop();
  });

  describe('authentication and roles', () => {
    it('answers 401 naming the header without credentials or with an unknown key', async () => {
      const missing = await request(api).get('/api/v1/incidents');
      expect(missing.status).toBe(401);
      expect(missing.body.errors).toEqual([
        { path: 'x-api-key', reason: expect.stringContaining('missing credentials') },
      ]);
      const unknown = await request(api)
        .get('/api/v1/incidents')
        .set('x-api-key', newApiKeyMaterial().apiKey);
      expect(unknown.status).toBe(401);
    });

    it('refuses ingest keys both reads and analyst actions', async () => {
      expect(
        (await request(api).get('/api/v1/incidents').set('x-api-key', keys.ingestA)).status,
      ).toBe(403);
      const action = await request(api)
        .post('/api/v1/incidents/a-1/acknowledge')
        .set('x-api-key', keys.ingestA);
      expect(action.status).toBe(403);
      expect(action.body.errors[0].path).toBe('role');
    });

    it('lets only platform admins create tenants and tenant admins issue only their own keys', async () => {
      const tenant = await request(api)
        .post('/api/v1/admin/tenants')
        .set('x-api-key', keys.adminA)
        .send({ tenant_id: 'x', name: 'x' });
      expect(tenant.status).toBe(403);
      const foreign = await request(api)
        .post('/api/v1/admin/tenants/tenant-b/api-keys')
        .set('x-api-key', keys.adminA)
        .send({ role: 'analyst', name: 'mallory' });
      expect(foreign.status).toBe(403);
      expect(
        (await request(api).post('/api/v1/admin/assets').set('x-api-key', keys.analystA).send([]))
          .status,
      ).toBe(403);
      const again = await request(api)
        .post('/api/v1/admin/tenants')
        .set('x-api-key', bootstrapKey)
        .send({ tenant_id: 'tenant-a', name: 'again' });
      expect(again.status).toBe(409);
      expect(again.body.errors).toEqual([
        { path: 'tenant_id', reason: 'tenant tenant-a exists already' },
      ]);
    });
  });

  describe('tenant isolation', () => {
    it('lists only the caller’s incidents', async () => {
      expect((await listFor(keys.analystA)).items.map((i) => i.incidentId).sort()).toEqual([
        'a-1',
        'a-2',
        'a-3',
        'a-4',
      ]);
      expect((await listFor(keys.analystB)).items.map((i) => i.incidentId)).toEqual(['b-1']);
    });

    it('answers 404 for another tenant’s incident, alert and entity, as if they did not exist', async () => {
      expect(
        (await request(api).get('/api/v1/incidents/b-1').set('x-api-key', keys.analystA)).status,
      ).toBe(404);
      expect(
        (await request(api).get('/api/v1/alerts/b-1-a1').set('x-api-key', keys.analystA)).status,
      ).toBe(404);
      const entity = await request(api)
        .get('/api/v1/entities/host/dc-01')
        .set('x-api-key', keys.analystA);
      expect(entity.status).toBe(200);
      expect(entity.body.incidents.map((i: { incidentId: string }) => i.incidentId)).toEqual([
        'a-1',
      ]);
      const text = await listFor(keys.analystA, '?q=secret');
      expect(text.items).toEqual([]);
    });

    it('cannot act on another tenant’s incident', async () => {
      const response = await request(api)
        .post('/api/v1/incidents/b-1/acknowledge')
        .set('x-api-key', keys.analystA);
      expect(response.status).toBe(404);
    });
  });

  describe('queries', () => {
    it('sorts by priority by default and by last seen on request', async () => {
      expect((await listFor(keys.analystA)).items.map((i) => i.incidentId)).toEqual([
        'a-1',
        'a-2',
        'a-4',
        'a-3',
      ]);
      expect(
        (await listFor(keys.analystA, '?sort=last_seen')).items.map((i) => i.incidentId),
      ).toEqual(['a-4', 'a-3', 'a-2', 'a-1']);
    });

    it('pages with a cursor without repeating or skipping incidents', async () => {
      const first = await listFor(keys.analystA, '?limit=3');
      expect(first.items).toHaveLength(3);
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await listFor(keys.analystA, `?limit=3&cursor=${first.nextCursor}`);
      expect(second.items.map((i) => i.incidentId)).toEqual(['a-3']);
      expect(second.nextCursor).toBeNull();
    });

    it('filters by priority range, time range, entity, rule, tactic and text', async () => {
      const ids = async (query: string) =>
        (await listFor(keys.analystA, query)).items.map((i) => i.incidentId).sort();
      expect(await ids('?priority_min=60&priority_max=95')).toEqual(['a-1', 'a-2']);
      expect(await ids(`?from=${new Date(NOW - 90 * 60_000).toISOString()}`)).toEqual([
        'a-3',
        'a-4',
      ]);
      expect(await ids('?entity_type=host&entity_value=ws-02')).toEqual(['a-2']);
      expect(await ids('?rule=R-200')).toEqual(['a-1', 'a-2', 'a-3', 'a-4']);
      expect(await ids('?tactic=TA0006&priority_max=40')).toEqual(['a-3']);
      expect(await ids('?q=kerberoasting')).toEqual(['a-1']);
      expect(await ids('?status=closed')).toEqual([]);
    });

    it('answers 400 naming each bad parameter and why', async () => {
      const response = await request(api)
        .get(
          '/api/v1/incidents?priority_min=high&status=open,done&entity_type=host&sort=age&colour=red',
        )
        .set('x-api-key', keys.analystA);
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual(
        expect.arrayContaining([
          { path: 'colour', reason: expect.stringContaining('not a known field') },
          { path: 'priority_min', reason: 'must be a number' },
          { path: 'status', reason: expect.stringContaining('unknown value(s) done') },
          { path: 'entity_value', reason: 'entity_type and entity_value go together' },
          { path: 'sort', reason: 'must be one of priority, last_seen' },
        ]),
      );
    });

    it('shows an incident with its score breakdown, alerts, entities and timeline', async () => {
      const response = await request(api)
        .get('/api/v1/incidents/a-1')
        .set('x-api-key', keys.analystA);
      expect(response.status).toBe(200);
      const body = response.body;
      expect(body.incident).toMatchObject({
        incidentId: 'a-1',
        title: 'Kerberoasting against dc-01',
        priority: 91,
        alertCount: 2,
      });
      expect(body.score.factors.map((f: { name: string }) => f.name)).toContain('business_context');
      expect(body.score.adjustments).toEqual([
        expect.objectContaining({ name: 'kill_chain', points: 19 }),
      ]);
      expect(body.alerts.map((a: { alertId: string }) => a.alertId)).toEqual(['a-1-a1', 'a-1-a2']);
      expect(
        body.entities.map((e: { type: string; value: string }) => `${e.type}:${e.value}`),
      ).toEqual(expect.arrayContaining(['host:dc-01', 'user:corp\\bob', 'ip:10.0.0.5']));
      expect(body.timeline.map((t: { type: string }) => t.type)).toEqual([
        'IncidentOpened',
        'AlertAttached',
        'IncidentScored',
      ]);
    });

    it('shows an alert with the incidents it belongs to', async () => {
      const response = await request(api)
        .get('/api/v1/alerts/a-2-a2')
        .set('x-api-key', keys.analystA);
      expect(response.status).toBe(200);
      expect(response.body.alert).toMatchObject({
        alertId: 'a-2-a2',
        ruleId: 'R-200',
        severity: 90,
      });
      expect(response.body.incidents).toEqual([
        expect.objectContaining({ incidentId: 'a-2', via: 'attached' }),
      ]);
    });

    it('reports hourly alerts in against incidents opened, priority bands and time to acknowledge', async () => {
      const response = await request(api).get('/api/v1/stats').set('x-api-key', keys.analystA);
      expect(response.status).toBe(200);
      expect(response.body.totals).toMatchObject({
        alertsIn: 8,
        incidentsOpened: 4,
        alertsPerIncident: 2,
      });
      expect(response.body.priorityDistribution).toEqual(
        expect.arrayContaining([
          { band: 'critical', count: 1 },
          { band: 'high', count: 1 },
          { band: 'medium', count: 1 },
          { band: 'low', count: 1 },
        ]),
      );
      expect(response.body.timeToAcknowledge).toHaveProperty('meanMs');
    });
  });

  describe('analyst actions as feedback events', () => {
    it('closes with a verdict: 200 naming the event once the projection shows it', async () => {
      const response = await request(api)
        .post('/api/v1/incidents/a-2/verdict?wait=true')
        .set('x-api-key', keys.analystA)
        .send({ verdict: 'false_positive', notes: 'IT inventory script' });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        eventId: expect.any(String),
        type: 'IncidentVerdictGiven',
        incidentId: 'a-2',
        sequence: 1,
        projected: true,
        incident: { status: 'closed', verdict: 'false_positive' },
      });
      const detail = await request(api)
        .get('/api/v1/incidents/a-2')
        .set('x-api-key', keys.analystA);
      expect(detail.body.timeline.at(-1)).toMatchObject({
        eventId: response.body.eventId,
        actor: 'analyst:alice-tenant-a',
        summary: 'Closed as false positive: IT inventory script',
      });
    });

    it('answers 202 at once without wait, and the event arrives through Kafka and the projector', async () => {
      const response = await request(api)
        .post('/api/v1/incidents/a-3/assign')
        .set('x-api-key', keys.analystA)
        .send({ assignee: 'carol' });
      expect(response.status).toBe(202);
      expect(response.body).toMatchObject({ type: 'IncidentAssigned', projected: false });
      await waitFor(
        async () =>
          (await request(api).get('/api/v1/incidents/a-3').set('x-api-key', keys.analystA)).body
            .incident.assignee === 'carol',
        { timeoutMs: 20_000, describe: 'the assignment to be projected' },
      );
    });

    it('accepts priority feedback by alert id and produces an Avro event keyed by tenant', async () => {
      const response = await request(api)
        .post('/api/v1/feedback?wait=true')
        .set('x-api-key', keys.analystA)
        .send({ alert_id: 'a-4-a2', correct_priority: 20, analyst_notes: 'lab host' });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ type: 'PriorityFeedbackGiven', incidentId: 'a-4' });

      const codec = await AvroTopicCodec.register<FeedbackEvent>(
        createSchemaRegistry(config.infra.schemaRegistryUrl),
        config.feedbackTopic,
        readSchemaFile('feedback'),
        feedbackAvroMapping,
      );
      const seen: KafkaMessage[] = [];
      const consumer = kafka.consumer({ groupId: uniqueName('feedback-reader') });
      await consumer.connect();
      try {
        await consumer.subscribe({ topic: config.feedbackTopic, fromBeginning: true });
        await consumer.run({ eachMessage: async ({ message }) => void seen.push(message) });
        const decoded = await waitFor(
          async () => {
            for (const message of seen) {
              const event = await codec.decode(message.value);
              if (event.eventId === response.body.eventId)
                return { event, key: message.key?.toString() };
            }
            return undefined;
          },
          { timeoutMs: 30_000, describe: 'the feedback event on the topic' },
        );
        expect(decoded.key).toBe('tenant-a');
        expect(decoded.event).toMatchObject({
          type: 'PriorityFeedbackGiven',
          streamId: 'a-4',
          tenantId: 'tenant-a',
          data: {
            incidentId: null,
            alertId: 'a-4-a2',
            correctPriority: 20,
            analystNotes: 'lab host',
          },
        });
      } finally {
        await consumer.disconnect();
      }
    });

    it('numbers concurrent actions on one incident without gaps or repeats', async () => {
      const responses = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          request(api)
            .post('/api/v1/incidents/a-1/status')
            .set('x-api-key', keys.analystA)
            .send({ status: i % 2 ? 'in_progress' : 'acknowledged', notes: `step ${i}` }),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(6).fill(202));
      expect(responses.map((r) => r.body.sequence as number).sort((a, b) => a - b)).toEqual([
        1, 2, 3, 4, 5, 6,
      ]);
      await waitFor(
        async () =>
          (await request(api).get('/api/v1/incidents/a-1').set('x-api-key', keys.analystA)).body
            .incident.lastFeedbackSeq === 6,
        { timeoutMs: 20_000, describe: 'all six actions projected' },
      );
      // Each event went through the outbox, written with its sequence and relayed after commit.
      const owner = await openDataSource({ url: database.url, applicationName: 'outbox-check' });
      try {
        const [left] = await selectRows<{ n: string }>(
          owner,
          'SELECT count(*) AS n FROM public.feedback_outbox',
        );
        expect(left?.n).toBe('0');
      } finally {
        await owner.destroy();
      }
    });

    it('answers 400 with the field path for an invalid action body', async () => {
      const verdict = await request(api)
        .post('/api/v1/incidents/a-1/verdict')
        .set('x-api-key', keys.analystA)
        .send({ verdict: 'maybe' });
      expect(verdict.status).toBe(400);
      expect(verdict.body.errors).toEqual([
        {
          path: 'verdict',
          reason: 'must be one of true_positive, benign_positive, false_positive',
        },
      ]);
      const feedback = await request(api)
        .post('/api/v1/feedback')
        .set('x-api-key', keys.analystA)
        .send({ incident_id: 'a-1', correct_priority: 140 });
      expect(feedback.body.errors).toEqual([
        { path: 'correct_priority', reason: 'must be between 0 and 100' },
      ]);
      const both = await request(api)
        .post('/api/v1/feedback')
        .set('x-api-key', keys.analystA)
        .send({ correct_priority: 10 });
      expect(both.body.errors).toEqual([
        { path: 'alert_id', reason: 'give exactly one of alert_id and incident_id' },
      ]);
      const malformed = await request(api)
        .post('/api/v1/incidents/a-1/assign')
        .set('x-api-key', keys.analystA)
        .set('content-type', 'application/json')
        .send('{"assignee":');
      expect(malformed.status).toBe(400);
    });
  });

  describe('live updates', () => {
    it('streams a tenant’s changed incidents, and nothing of other tenants', async () => {
      const streamA = await openStream(`${api}/api/v1/stream`, keys.analystA);
      const streamB = await openStream(`${api}/api/v1/stream`, keys.analystB);
      try {
        expect(streamA.status).toBe(200);
        await waitFor(() => streamA.events.some((e) => e.event === 'ready'), {
          describe: 'the ready event',
        });
        await produceIncidents([
          incidentOpened(
            'a-live',
            anAlertSummary({
              alertId: 'a-live-1',
              observedAt: Date.now(),
              entities: [host('ws-09')],
            }),
            { tenantId: 'tenant-a' },
          ),
          incidentScored('a-live', 77, { tenantId: 'tenant-a', sequence: 2 }),
        ]);
        const update = await waitFor(
          () =>
            streamA.events.find(
              (e) => e.event === 'incidents' && JSON.stringify(e.data).includes('a-live'),
            ),
          { timeoutMs: 20_000, describe: 'a live update for a-live' },
        );
        expect(
          (update.data as { incidents: { incidentId: string }[] }).incidents.map(
            (i) => i.incidentId,
          ),
        ).toEqual(['a-live']);
        expect(streamB.events.filter((e) => e.event === 'incidents')).toEqual([]);
      } finally {
        streamA.close();
        streamB.close();
      }
    });

    it('never accepts a key in the query string, not even on the stream', async () => {
      expect((await request(api).get(`/api/v1/incidents?key=${keys.analystA}`)).status).toBe(401);
      expect((await request(api).get(`/api/v1/stream?key=${keys.analystA}`)).status).toBe(401);
    });
  });

  describe('asset inventory', () => {
    it('loads assets from JSON and CSV and shows their criticality on entities', async () => {
      const json = await request(api)
        .post('/api/v1/admin/assets')
        .set('x-api-key', keys.adminA)
        .send([
          {
            entity_type: 'host',
            value: 'DC-01',
            criticality: 5,
            owner: 'identity team',
            tags: ['tier0'],
          },
        ]);
      expect(json.status).toBe(200);
      expect(json.body).toEqual({ tenantId: 'tenant-a', upserted: 1 });
      const csv = await request(api)
        .post('/api/v1/admin/assets')
        .set('x-api-key', keys.adminA)
        .set('content-type', 'text/csv')
        .send(
          'entity_type,value,criticality,owner,tags\nhost,ws-02,2,desktop,"laptop;finance"\nip,10.0.0.5,4,,server\n',
        );
      expect(csv.body).toEqual({ tenantId: 'tenant-a', upserted: 2 });
      const entity = await request(api)
        .get('/api/v1/entities/host/dc-01')
        .set('x-api-key', keys.analystA);
      expect(entity.body.asset).toEqual({
        criticality: 5,
        owner: 'identity team',
        tags: ['tier0'],
      });
      const detail = await request(api)
        .get('/api/v1/incidents/a-2')
        .set('x-api-key', keys.analystA);
      expect(
        detail.body.entities.find((e: { value: string }) => e.value === 'ws-02').asset,
      ).toEqual({ criticality: 2, owner: 'desktop', tags: ['laptop', 'finance'] });
      const otherTenant = await request(api)
        .get('/api/v1/entities/host/dc-01')
        .set('x-api-key', keys.analystB);
      expect(otherTenant.body.asset).toBeNull();
    });

    it('rejects the whole upload with row paths when a row is invalid', async () => {
      const response = await request(api)
        .post('/api/v1/admin/assets')
        .set('x-api-key', keys.adminA)
        .set('content-type', 'text/csv')
        .send('entity_type,value,criticality\nhost,ok-1,3\nplanet,mars,9\n');
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([
        { path: 'csv[3].entity_type', reason: expect.stringContaining('must be one of host') },
        { path: 'csv[3].criticality', reason: 'must be between 1 and 5' },
      ]);
      const listed = await request(api).get('/api/v1/admin/assets').set('x-api-key', keys.adminA);
      expect(listed.body.map((a: { value: string }) => a.value)).not.toContain('ok-1');
    });
  });

  describe('merged incidents', () => {
    it('shows on the survivor the alerts of the incident merged into it, with their total', async () => {
      const at = NOW - 20 * 60_000;
      const merge = { sequence: 4, occurredAt: at + 120_000 };
      await produceIncidents([
        ...liveIncident('tenant-a', 'a-m1', at, { hostName: 'ws-31' }),
        ...liveIncident('tenant-a', 'a-m2', at + 1_000, { hostName: 'ws-31' }),
        incidentsMerged('a-m1', 'a-m2', merge),
        incidentMergedInto('a-m2', 'a-m1', merge),
      ]);
      const detail = async () =>
        request(api).get('/api/v1/incidents/a-m1').set('x-api-key', keys.analystA);
      await waitFor(
        async () => {
          const response = await detail();
          return response.status === 200 && response.body.incident.absorbedIncidentIds.length > 0;
        },
        { timeoutMs: 60_000, describe: 'the merge projected' },
      );
      const body = (await detail()).body;
      expect(body.incident.absorbedIncidentIds).toEqual(['a-m2']);
      expect(body.alertsTotal).toBe(4);
      expect(body.alerts.map((a: { alertId: string }) => a.alertId).sort()).toEqual([
        'a-m1-a1',
        'a-m1-a2',
        'a-m2-a1',
        'a-m2-a2',
      ]);
    });
  });

  describe('service endpoints', () => {
    it('serves OpenAPI, the dashboard, /health and /metrics', async () => {
      const openapi = await request(api).get('/docs-json');
      expect(openapi.status).toBe(200);
      expect(Object.keys(openapi.body.paths)).toEqual(
        expect.arrayContaining([
          '/api/v1/incidents',
          '/api/v1/incidents/{incidentId}/verdict',
          '/api/v1/feedback',
          '/api/v1/stream',
        ]),
      );
      const dashboard = await request(api).get('/dashboard/');
      expect(dashboard.status).toBe(200);
      expect(dashboard.text).toContain('<title>');
      expect((await request(api).get('/health')).body.status).toBe('ok');
      const metrics = await request(api).get('/metrics');
      expect(metrics.text).toContain('query_api_feedback_events_total{type="IncidentVerdictGiven"');
      expect(metrics.text).toContain('query_api_request_duration_seconds_bucket');
    });
  });
});
