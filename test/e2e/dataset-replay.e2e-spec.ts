// A slice of a real labeled data set (AIT-ADS, ../shared/datasets) through the real pipeline:
// raw Wazuh records (Wazuh's own alerts and the Suricata and AMiner alerts it forwards) onto
// ingest's raw topic, then the correlator, the projector and the query API, all as processes.
// The attack story must lead the story queue.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { TOPICS } from '@soc/contracts';
import {
  alertTopicPartitions,
  connectIdempotentProducer,
  correlatorEnv,
  createSpecTenancy,
  createTopic,
  deleteTopics,
  infraFromEnv,
  projectorEnv,
  ingestEnv,
  prepareTopics,
  specRawTopicPrefix,
  testKafka,
  uniqueName,
  waitFor,
  type SpecTenancy,
  type SpecTenant,
} from '@soc/testing';
import { aitAdsFile } from '../../tools/triage-quality/run-evaluate';
import { startApp, type AppProcess } from '../support/app-process';

const SCENARIO = 'wardbeck';
const HOUR = 3_600_000;
/** Hours of the tenant's ordinary traffic before the attack: the baseline rarity is learned on. */
const BASELINE_HOURS = 3;
const PRODUCE_CHUNK = 1_000;

interface LabeledLine {
  readonly line: string;
  readonly id: string;
  readonly time: number;
  readonly attack: boolean;
}

async function* labeledLines(file: string): AsyncGenerator<LabeledLine> {
  const lines = createInterface({ input: createReadStream(file).pipe(createGunzip()) });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const record = JSON.parse(line) as {
      id: string;
      timestamp: string;
      label: { group: string | null };
    };
    const time = Date.parse(record.timestamp.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
    yield { line, id: record.id, time, attack: record.label.group === 'attack' };
  }
}

/**
 * The slice, by a rule rather than by ids: the clock hour holding the most attack alerts (the
 * attack's main stage), the `BASELINE_HOURS` before it and the hour after it, every alert of
 * those hours, attack or noise, in the file's event-time order.
 */
async function attackSlice(file: string): Promise<LabeledLine[]> {
  const attacksPerHour = new Map<number, number>();
  for await (const { time, attack } of labeledLines(file)) {
    const hour = Math.floor(time / HOUR) * HOUR;
    if (attack) attacksPerHour.set(hour, (attacksPerHour.get(hour) ?? 0) + 1);
  }
  const [peak] = [...attacksPerHour].reduce((best, entry) => (entry[1] > best[1] ? entry : best));
  const from = peak - BASELINE_HOURS * HOUR;
  const to = peak + 2 * HOUR;
  const slice: LabeledLine[] = [];
  for await (const line of labeledLines(file))
    if (line.time >= from && line.time < to) slice.push(line);
  return slice;
}

interface StoryItem {
  readonly storyId: string;
  readonly priority: number | null;
  readonly incidentCount: number;
  readonly alertCount: number;
  readonly summary: string;
}

describe(`a slice of AIT-ADS ${SCENARIO} through ingest, correlator, projector and query API`, () => {
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let tenancy: SpecTenancy;
  let tenant: SpecTenant;
  let api: AppProcess;
  let slice: LabeledLine[];
  const apps: AppProcess[] = [];
  const rawPrefix = specRawTopicPrefix();
  const rawTopic = `${rawPrefix}wazuh`;

  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${api.url}/api/v1${path}`, {
      headers: { 'x-api-key': tenant.analystKey },
    });
    if (!response.ok) throw new Error(`${path} answered ${response.status}`);
    return (await response.json()) as T;
  };

  beforeAll(async () => {
    slice = await attackSlice(aitAdsFile(SCENARIO));
    kafka = testKafka();
    admin = kafka.admin();
    await admin.connect();
    const partitions = await alertTopicPartitions(kafka);
    await prepareTopics(kafka, partitions, [rawTopic]);
    tenancy = await createSpecTenancy('dataset_replay');
    tenant = await tenancy.tenant('ait');
    const infra = infraFromEnv();
    const correlator = correlatorEnv(infra, tenancy.database.url, uniqueName('replay'), partitions);
    const incidentsTopic = correlator.INCIDENTS_TOPIC as string;
    await createTopic(incidentsTopic, partitions);
    const feedbackTopic = await createTopic(uniqueName('feedback'), partitions);
    // The correlator reads the shared alerts topic from its current end: this run's alerts.
    const ends = await admin.fetchTopicOffsets(TOPICS.alerts);
    await admin.setOffsets({
      groupId: correlator.CORRELATOR_GROUP_ID as string,
      topic: TOPICS.alerts,
      partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
    });
    const common = ingestEnv(tenancy.database.url, partitions);
    apps.push(
      await startApp({
        name: 'ingest',
        env: {
          ...common,
          INGEST_RAW_FORMATS: 'wazuh',
          INGEST_RAW_TOPIC_PREFIX: rawPrefix,
          INGEST_RAW_GROUP_ID: uniqueName('ingest-raw'),
          // As a deployment would: the raw topic belongs to one tenant by configuration.
          INGEST_RAW_TENANT_BY_TOPIC: `${rawTopic}=${tenant.tenantId}`,
        },
        portVariable: 'INGEST_HTTP_PORT',
      }),
      await startApp({
        name: 'correlator',
        env: { ...correlator, ALERTS_TOPIC: TOPICS.alerts },
        portVariable: 'CORRELATOR_HTTP_PORT',
      }),
      await startApp({
        name: 'projector',
        env: projectorEnv(common, { incidentsTopic: incidentsTopic, feedbackTopic: feedbackTopic }),
        portVariable: 'PROJECTOR_HTTP_PORT',
      }),
    );
    api = await startApp({
      name: 'query-api',
      env: {
        ...common,
        FEEDBACK_TOPIC: feedbackTopic,
        TENANT_CONFIG_TOPIC: correlator.TENANT_CONFIG_TOPIC as string,
      },
      portVariable: 'QUERY_API_HTTP_PORT',
    });
    apps.push(api);
    producer = await connectIdempotentProducer(kafka);
  });

  afterAll(async () => {
    await producer?.disconnect();
    for (const app of apps.reverse()) await app.stop();
    await admin?.disconnect();
    await tenancy?.close();
    if (kafka) await deleteTopics(kafka, [rawTopic]);
  });

  it('puts a story holding the attack’s alerts at the top of the story queue', async () => {
    const attackIds = new Set(slice.filter((l) => l.attack).map((l) => l.id));
    expect(attackIds.size).toBeGreaterThan(0);
    expect(slice.length - attackIds.size).toBeGreaterThan(attackIds.size / 10);
    for (let from = 0; from < slice.length; from += PRODUCE_CHUNK) {
      await producer.send({
        topic: rawTopic,
        acks: -1,
        messages: slice
          .slice(from, from + PRODUCE_CHUNK)
          .map(({ line }) => ({ key: tenant.tenantId, value: line })),
      });
    }

    // Every alert of the slice is counted in the hourly stats once the projector has it.
    const first = slice[0]?.time ?? 0;
    const last = slice[slice.length - 1]?.time ?? 0;
    const statsPath = `/stats?from=${first}&to=${last + HOUR}`;
    await waitFor(
      async () =>
        (await get<{ totals: { alertsIn: number } }>(statsPath)).totals.alertsIn === slice.length,
      { timeoutMs: 170_000, describe: `all ${slice.length} alerts of the slice to be projected` },
    );

    const { items } = await get<{ items: StoryItem[] }>('/stories?sort=priority&limit=5');
    const attackAlertsOf = async (story: StoryItem): Promise<number> => {
      const detail = await get<{ incidents: { incidentId: string }[] }>(
        `/stories/${encodeURIComponent(story.storyId)}`,
      );
      let found = 0;
      for (const { incidentId } of detail.incidents) {
        const incident = await get<{ alerts: { alertId: string }[] }>(
          `/incidents/${encodeURIComponent(incidentId)}`,
        );
        found += incident.alerts.filter((a) => attackIds.has(a.alertId)).length;
      }
      return found;
    };
    const top = [];
    for (const story of items) top.push({ ...story, attackAlerts: await attackAlertsOf(story) });
    process.stdout.write(
      `\n${slice.length} alerts (${attackIds.size} attack) of ${SCENARIO}; the story queue's top:\n` +
        top
          .map(
            (s, i) =>
              `${i + 1}. priority ${s.priority}, ${s.incidentCount} incidents, ${s.alertCount} alerts, ` +
              `${s.attackAlerts} attack alert rows: ${s.summary.slice(0, 160)}`,
          )
          .join('\n') +
        '\n',
    );
    const [leader, runnerUp] = top;
    expect(leader?.attackAlerts).toBeGreaterThan(0);
    // At the top on its own: no noise story shares its priority.
    if (runnerUp !== undefined && runnerUp.attackAlerts === 0)
      expect(leader?.priority ?? 0).toBeGreaterThan(runnerUp.priority ?? 0);
  });
});
