import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import request from 'supertest';
import type { FeedbackEvent, IncidentEvent } from '@soc/contracts';
import { createLogger } from '@soc/observability';
import {
  READ_MODEL_SCHEMA,
  ReadModelStore,
  SHADOW_SCHEMA,
  openDataSource,
  selectRows,
  snapshotReadModel,
  swapInShadowSchema,
  type DataSource,
} from '@soc/persistence';
import {
  createSpecDatabase,
  createTopic,
  infraFromEnv,
  specInfraConfig,
  testKafka,
  uniqueName,
  waitFor,
  type SpecDatabase,
} from '@soc/testing';
import {
  T0,
  acknowledged,
  alertSuppressed,
  alertAttached,
  anAlertSummary,
  assigned,
  campaignLinked,
  host,
  incidentEscalated,
  incidentOpened,
  incidentScored,
  ip,
  repeatsCounted,
  tenantPolicyApplied,
  verdictGiven,
} from '../../../test/support/incident-events';
import { ProjectionEngine, type ConsumedRecord } from './projection-engine';
import type { ProjectorConfig } from './projector.config';
import { createProjectorApp, createRebuildParts } from './projector.module';
import { rebuildReadModel } from './rebuild';

const logger = createLogger('projector-spec', 'warn');
const PARTITIONS = 3;

/** Both streams of two tenants' incidents: what the correlator and the API would have written. */
function scenario(): { incidents: IncidentEvent[]; feedback: FeedbackEvent[] } {
  const incidents: IncidentEvent[] = [];
  const feedback: FeedbackEvent[] = [];
  for (const tenantId of ['tenant-a', 'tenant-b']) {
    for (const n of [1, 2, 3]) {
      const incidentId = `${tenantId}-inc-${n}`;
      const first = anAlertSummary({
        alertId: `${incidentId}-a1`,
        observedAt: T0 + n * 60_000,
        entities: [host(`ws-0${n}`)],
      });
      const second = anAlertSummary({
        alertId: `${incidentId}-a2`,
        observedAt: T0 + n * 60_000 + 30_000,
        ruleId: 'R-200',
        tactics: ['TA0006'],
        entities: [host(`ws-0${n}`), ip('10.0.0.5')],
      });
      incidents.push(
        incidentOpened(incidentId, first, { tenantId }),
        alertAttached(incidentId, second, { tenantId, sequence: 2 }),
        repeatsCounted(incidentId, 4, { tenantId, sequence: 3 }),
        incidentScored(incidentId, 40 + n * 15, { tenantId, sequence: 4 }),
      );
      if (n === 3) incidents.push(incidentEscalated(incidentId, 85, { tenantId, sequence: 5 }));
    }
    // Incidents 1 and 2 are one attack story; incident 3 is a story of its own.
    for (const n of [1, 2])
      incidents.push(
        campaignLinked(`${tenantId}-inc-${n}`, `${tenantId}-camp`, { tenantId, sequence: 5 }),
      );
    // An alert suppressed before any incident existed: its own stream, counted in the stats.
    incidents.push(
      alertSuppressed(null, anAlertSummary({ alertId: `${tenantId}-noise`, observedAt: T0 }), {
        tenantId,
        sequence: 1,
      }),
      tenantPolicyApplied(1, { tenantId, sequence: 2 }),
    );
    feedback.push(
      acknowledged(`${tenantId}-inc-1`, { tenantId, sequence: 1, occurredAt: T0 + 600_000 }),
      assigned(`${tenantId}-inc-1`, 'alice', { tenantId, sequence: 2, occurredAt: T0 + 610_000 }),
      verdictGiven(
        `${tenantId}-inc-2`,
        'false_positive',
        { tenantId, sequence: 1, occurredAt: T0 + 620_000 },
        'scanner',
      ),
    );
  }
  return { incidents, feedback };
}

describe('projector on Kafka and Postgres', () => {
  let database: SpecDatabase;
  let dataSource: DataSource;
  let kafka: Kafka;
  let producer: Producer;
  let app: INestApplication;
  let config: ProjectorConfig;

  const produce = async (
    topic: string,
    events: readonly (IncidentEvent | FeedbackEvent)[],
  ): Promise<void> => {
    await producer.send({
      topic,
      acks: -1,
      messages: events.map((event) => ({ key: event.partitionKey, value: JSON.stringify(event) })),
    });
  };

  /** Waits until the live checkpoints cover every record now in both topics. */
  const projected = async (schema = READ_MODEL_SCHEMA): Promise<void> => {
    const admin = kafka.admin();
    await admin.connect();
    const ends = new Map<string, bigint>();
    try {
      for (const topic of [config.incidentsTopic, config.feedbackTopic]) {
        for (const o of await admin.fetchTopicOffsets(topic))
          ends.set(`${topic}:${o.partition}`, BigInt(o.high));
      }
    } finally {
      await admin.disconnect();
    }
    const store = new ReadModelStore(schema);
    await waitFor(
      async () => {
        const stored = await store.readCheckpoints(dataSource, 'incident-read-model');
        const at = new Map(stored.map((c) => [`${c.topic}:${c.partition}`, c.nextOffset]));
        return [...ends].every(([key, end]) => end === 0n || (at.get(key) ?? 0n) >= end);
      },
      { timeoutMs: 60_000, describe: 'the projector checkpoints to reach the topic ends' },
    );
  };

  const rebuild = async (options: { swap: boolean; compare: boolean }) => {
    const parts = await createRebuildParts({ ...config, migrate: false }, logger);
    try {
      return await rebuildReadModel({
        ...parts,
        ...options,
        logger,
        incidentsTopic: config.incidentsTopic,
        feedbackTopic: config.feedbackTopic,
        timeoutMs: 60_000,
      });
    } finally {
      await parts.dataSource.destroy();
    }
  };

  const withoutCheckpoints = (snapshot: Record<string, string[]>) => {
    const { projection_checkpoints: _checkpoints, ...rest } = snapshot;
    return rest;
  };

  beforeAll(async () => {
    database = await createSpecDatabase('projector');
    kafka = testKafka();
    config = {
      infra: specInfraConfig(infraFromEnv(), database.url, PARTITIONS, 'projector'),
      httpPort: 0,
      groupId: uniqueName('projector'),
      incidentsTopic: await createTopic(uniqueName('incidents'), PARTITIONS),
      feedbackTopic: await createTopic(uniqueName('feedback'), PARTITIONS),
      // The spec writes its events as JSON, as a schema-less producer would.
      incidentsEncoding: 'json',
      feedbackEncoding: 'json',
      migrate: true,
      maxWaitMs: 50,
      maxBytesPerPartition: 1024 * 1024,
      partitionsConsumedConcurrently: 2,
      databasePoolSize: 4,
    };
    producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
    });
    await producer.connect();
    app = await createProjectorApp(config, logger);
    await app.listen(0, '127.0.0.1');
    dataSource = await openDataSource({ url: database.url, applicationName: 'projector-spec' });
  });

  afterAll(async () => {
    await app?.close();
    await producer?.disconnect();
    await dataSource?.destroy();
    await database?.drop();
  });

  it('turns incident and feedback events into incident rows, alerts, timeline, entities and stats', async () => {
    const { incidents, feedback } = scenario();
    await produce(config.incidentsTopic, incidents);
    await produce(config.feedbackTopic, feedback);
    await projected();

    const rows = await selectRows<{
      tenant_id: string;
      incident_id: string;
      status: string;
      priority: number;
      alert_count: number;
      distinct_rules: number;
      tactics: string[];
      assignee: string | null;
      verdict: string | null;
      escalated: boolean;
      last_incident_seq: number;
      last_feedback_seq: number;
    }>(dataSource, `SELECT * FROM ${READ_MODEL_SCHEMA}.incidents ORDER BY tenant_id, incident_id`);
    expect(rows).toHaveLength(6);
    expect(rows[0]).toMatchObject({
      tenant_id: 'tenant-a',
      incident_id: 'tenant-a-inc-1',
      status: 'acknowledged',
      priority: 55,
      alert_count: 2 + 4,
      distinct_rules: 2,
      tactics: ['TA0002', 'TA0006'],
      assignee: 'alice',
      last_incident_seq: 5,
      last_feedback_seq: 2,
    });
    expect(rows[1]).toMatchObject({
      incident_id: 'tenant-a-inc-2',
      status: 'closed',
      verdict: 'false_positive',
    });
    expect(rows[2]).toMatchObject({ incident_id: 'tenant-a-inc-3', escalated: true, priority: 85 });

    const [counts] = await selectRows<{
      alerts: string;
      timeline: string;
      links: string;
      stats_alerts: string;
      opened: string;
      escalations: string;
      minute_alerts: string;
    }>(
      dataSource,
      `SELECT (SELECT count(*) FROM ${READ_MODEL_SCHEMA}.incident_alerts) AS alerts,
              (SELECT count(*) FROM ${READ_MODEL_SCHEMA}.incident_timeline) AS timeline,
              (SELECT count(*) FROM ${READ_MODEL_SCHEMA}.incident_entities) AS links,
              (SELECT sum(alerts_in) FROM ${READ_MODEL_SCHEMA}.tenant_hourly_stats) AS stats_alerts,
              (SELECT sum(incidents_opened) FROM ${READ_MODEL_SCHEMA}.tenant_hourly_stats) AS opened,
              (SELECT sum(escalations) FROM ${READ_MODEL_SCHEMA}.tenant_hourly_stats) AS escalations,
              (SELECT sum(alerts_in) FROM ${READ_MODEL_SCHEMA}.tenant_minute_stats) AS minute_alerts`,
    );
    expect(counts).toEqual({
      alerts: String(6 * 2),
      // Every event but the four about no incident.
      timeline: String(incidents.length + feedback.length - 4),
      // Two entities per incident from its alerts, plus ws-01 from IncidentScored for incidents 2 and 3.
      links: String(6 * 2 + 2 * 2),
      stats_alerts: String(6 * (2 + 4) + 2),
      opened: '6',
      escalations: '2',
      // The same alerts, counted per minute.
      minute_alerts: String(6 * (2 + 4) + 2),
    });
    const [entity] = await selectRows<{ incident_count: number }>(
      dataSource,
      `SELECT incident_count FROM ${READ_MODEL_SCHEMA}.entities WHERE tenant_id = 'tenant-a' AND entity_type = 'ip' AND value = '10.0.0.5'`,
    );
    expect(entity?.incident_count).toBe(3);

    const stories = await selectRows<{
      tenant_id: string;
      story_id: string;
      campaign_id: string | null;
      priority: number;
      lead_incident_id: string;
      incident_ids: string[];
      alert_count: number;
      status: string;
    }>(
      dataSource,
      `SELECT * FROM ${READ_MODEL_SCHEMA}.stories ORDER BY tenant_id, priority DESC, story_id`,
    );
    expect(stories.map((s) => [s.tenant_id, s.story_id, s.priority])).toEqual([
      ['tenant-a', 'tenant-a-inc-3', 85],
      ['tenant-a', 'tenant-a-camp', 70],
      ['tenant-b', 'tenant-b-inc-3', 85],
      ['tenant-b', 'tenant-b-camp', 70],
    ]);
    expect(stories[1]).toMatchObject({
      campaign_id: 'tenant-a-camp',
      lead_incident_id: 'tenant-a-inc-2',
      incident_ids: ['tenant-a-inc-2', 'tenant-a-inc-1'],
      alert_count: 2 * (2 + 4),
      // inc-1 acknowledged, inc-2 closed as a false positive.
      status: 'acknowledged',
    });
    const history = await selectRows<{ tenant_id: string; version: number; config: unknown }>(
      dataSource,
      `SELECT tenant_id, version, config FROM ${READ_MODEL_SCHEMA}.tenant_config_history ORDER BY tenant_id`,
    );
    expect(history).toEqual([
      { tenant_id: 'tenant-a', version: 1, config: expect.objectContaining({ connectors: [] }) },
      { tenant_id: 'tenant-b', version: 1, config: expect.objectContaining({ connectors: [] }) },
    ]);
  });

  it('leaves the tables unchanged when the same events are delivered again', async () => {
    const before = withoutCheckpoints(await snapshotReadModel(dataSource));
    const { incidents, feedback } = scenario();
    await produce(config.incidentsTopic, incidents);
    await produce(config.feedbackTopic, feedback);
    await projected();
    expect(withoutCheckpoints(await snapshotReadModel(dataSource))).toEqual(before);
  });

  it('moves an incident from its own story into the campaign it is linked to', async () => {
    const storyIds = async () =>
      (
        await selectRows<{ story_id: string }>(
          dataSource,
          `SELECT story_id FROM ${READ_MODEL_SCHEMA}.stories WHERE tenant_id = 'tenant-c' ORDER BY story_id`,
        )
      ).map((r) => r.story_id);
    await produce(config.incidentsTopic, [
      incidentOpened('tenant-c-inc-1', anAlertSummary({ alertId: 'c-1' }), {
        tenantId: 'tenant-c',
      }),
    ]);
    await projected();
    expect(await storyIds()).toEqual(['tenant-c-inc-1']);
    await produce(config.incidentsTopic, [
      campaignLinked('tenant-c-inc-1', 'tenant-c-camp', { tenantId: 'tenant-c', sequence: 2 }),
    ]);
    await projected();
    expect(await storyIds()).toEqual(['tenant-c-camp']);
  });

  it('skips offsets at or below the checkpoint when a batch is redelivered', async () => {
    const before = await snapshotReadModel(dataSource);
    const engine = new ProjectionEngine(dataSource, new ReadModelStore(), { notify: false });
    const [stored] = (await engine.store.readCheckpoints(dataSource, engine.projection)).filter(
      (c) => c.nextOffset > 0n,
    );
    if (!stored) throw new Error('no checkpoint stored yet');
    const replayed: ConsumedRecord[] = [
      {
        offset: stored.nextOffset - 1n,
        timestamp: Date.now(),
        event: incidentOpened('tenant-z-inc-1', anAlertSummary(), { tenantId: 'tenant-z' }),
      },
    ];
    const outcome = await engine.applyBatch({
      topic: stored.topic,
      partition: stored.partition,
      records: replayed,
      firstOffset: stored.nextOffset - 1n,
      endOffset: stored.nextOffset,
      expectedNext: stored.nextOffset,
    });
    expect(outcome).toMatchObject({ kind: 'applied', fresh: 0, applied: [] });
    expect(await snapshotReadModel(dataSource)).toEqual(before);
  });

  it('rebuilds from offset 0 into a shadow schema equal to the live tables', async () => {
    await projected();
    const report = await rebuild({ swap: false, compare: true });
    expect(report.events).toBeGreaterThan(0);
    expect(report.differences).toEqual({
      incidents: 0,
      incident_alerts: 0,
      incident_entities: 0,
      entities: 0,
      incident_timeline: 0,
      stories: 0,
      tenant_hourly_stats: 0,
      tenant_minute_stats: 0,
      stream_positions: 0,
      tenant_config_history: 0,
      projection_checkpoints: 0,
    });
    expect(await snapshotReadModel(dataSource, SHADOW_SCHEMA)).toEqual(
      await snapshotReadModel(dataSource),
    );
  });

  it('swaps the rebuilt tables in while the projector runs, which then re-applies what the rebuild missed', async () => {
    await rebuild({ swap: false, compare: false });
    // Applied to the live tables only: the shadow's checkpoints stay behind it.
    const missed = incidentOpened('tenant-a-inc-missed', anAlertSummary({ alertId: 'missed' }), {
      tenantId: 'tenant-a',
    });
    await produce(config.incidentsTopic, [missed]);
    await projected();
    await swapInShadowSchema(dataSource);
    const liveIds = async () =>
      (
        await selectRows<{ incident_id: string }>(
          dataSource,
          `SELECT incident_id FROM ${READ_MODEL_SCHEMA}.incidents`,
        )
      ).map((r) => r.incident_id);
    expect(await liveIds()).not.toContain('tenant-a-inc-missed');

    const after = incidentOpened(
      'tenant-a-inc-after-swap',
      anAlertSummary({ alertId: 'after-swap' }),
      { tenantId: 'tenant-a' },
    );
    await produce(config.incidentsTopic, [after]);
    await waitFor(async () => (await liveIds()).includes('tenant-a-inc-after-swap'), {
      timeoutMs: 30_000,
      describe: 'an event after the swap to reach the new live tables',
    });
    await projected();
    expect(await liveIds()).toContain('tenant-a-inc-missed');
    const check = await rebuild({ swap: false, compare: true });
    expect(Object.values(check.differences ?? {}).every((n) => n === 0)).toBe(true);
  });

  const deadLetters = (topic: string) =>
    selectRows<{ record_offset: string; record_value: Buffer; reason: string; field: string }>(
      dataSource,
      `SELECT record_offset, record_value, reason, field FROM projector_dead_letters
       WHERE topic = $1 ORDER BY record_offset`,
      [topic],
    );

  it('dead-letters an undecodable record with the reason and keeps projecting', async () => {
    await producer.send({
      topic: config.incidentsTopic,
      messages: [{ key: 'tenant-a', value: 'not an event' }],
    });
    await produce(config.incidentsTopic, [
      incidentOpened('tenant-a-inc-after-poison', anAlertSummary({ alertId: 'after-poison' }), {
        tenantId: 'tenant-a',
      }),
    ]);
    await projected();
    const letters = await deadLetters(config.incidentsTopic);
    expect(letters.map((l) => l.record_value.toString())).toEqual(['not an event']);
    expect(letters[0]?.reason).toMatch(/not a JSON object/);
    const rows = await selectRows<{ incident_id: string }>(
      dataSource,
      `SELECT incident_id FROM ${READ_MODEL_SCHEMA}.incidents WHERE incident_id = 'tenant-a-inc-after-poison'`,
    );
    expect(rows).toHaveLength(1);
  });

  it('dead-letters an event whose write PostgreSQL refuses, in the transaction of its checkpoint, and applies the rest of its batch', async () => {
    const refused = incidentOpened(
      'tenant-nul-inc-refused',
      anAlertSummary({ alertId: 'refused', title: 'nul \u0000 in a title' }),
      { tenantId: 'tenant-nul' },
    );
    const after = incidentOpened(
      'tenant-nul-inc-after-refused',
      anAlertSummary({ alertId: 'ok' }),
      {
        tenantId: 'tenant-nul',
      },
    );
    await produce(config.incidentsTopic, [refused, after]);
    await projected();
    const letters = (await deadLetters(config.incidentsTopic)).filter(
      (l) => l.field === 'IncidentOpened',
    );
    expect(letters).toHaveLength(1);
    expect(letters[0]?.reason).toMatch(/^write failed: /);
    expect(JSON.parse(letters[0]?.record_value.toString() ?? '{}')).toMatchObject({
      eventId: refused.eventId,
    });
    const rows = await selectRows<{ incident_id: string }>(
      dataSource,
      `SELECT incident_id FROM ${READ_MODEL_SCHEMA}.incidents WHERE tenant_id = 'tenant-nul'`,
    );
    expect(rows.map((r) => r.incident_id)).toEqual(['tenant-nul-inc-after-refused']);
  });

  it('serves /health and Prometheus /metrics with the projection series', async () => {
    const server = app.getHttpServer() as { address(): AddressInfo };
    const base = `http://127.0.0.1:${server.address().port}`;
    const health = await request(base).get('/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: 'ok',
      checks: { postgres: { ok: true }, 'kafka-consumer': { ok: true } },
    });
    const metrics = await request(base).get('/metrics');
    expect(metrics.text).toMatch(
      /projector_events_applied_total\{[^}]*type="IncidentOpened"[^}]*\} \d+/,
    );
    expect(metrics.text).toContain('projector_projection_delay_seconds_bucket');
    expect(metrics.text).toContain('projector_events_per_second');
    expect(metrics.text).toContain('soc_consumer_lag');
  });
});
