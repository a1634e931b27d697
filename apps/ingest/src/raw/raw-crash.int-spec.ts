import { join } from 'node:path';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { TOPICS } from '@soc/contracts';
import {
  AlertTail,
  alertTopicPartitions,
  connectIdempotentProducer,
  createSpecTenancy,
  deleteTopics,
  ingestEnv,
  prepareTopics,
  specRawTopicPrefix,
  testKafka,
  TopicTail,
  uniqueName,
  waitFor,
  type SpecTenancy,
} from '@soc/testing';
import { startApp, type AppProcess } from '../../../../test/support/app-process';
import { STOPPED_BEFORE_COMMIT } from '../../../../test/support/stop-before-commit';
import { TENANT_HEADER } from './raw-record';

const TOTAL = 5_000;
const PRODUCE_CHUNK = 500;

describe('raw-topic ingest killed mid-batch', () => {
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let tenancy: SpecTenancy;
  let committed: AlertTail;
  let uncommitted: TopicTail;
  const children: AppProcess[] = [];
  const prefix = specRawTopicPrefix();
  const topic = `${prefix}simple-json`;
  const groupId = uniqueName('ingest-raw-crash');
  let env: Record<string, string>;

  beforeAll(async () => {
    kafka = testKafka();
    const partitions = await alertTopicPartitions(kafka);
    tenancy = await createSpecTenancy('ingest_crash');
    await prepareTopics(kafka, partitions, [topic]);
    admin = kafka.admin();
    await admin.connect();
    producer = await connectIdempotentProducer(kafka);
    committed = await AlertTail.start(kafka);
    uncommitted = await TopicTail.start(kafka, TOPICS.alerts, { readUncommitted: true });
    env = ingestEnv(tenancy.database.url, partitions, {
      INGEST_RAW_FORMATS: 'simple-json',
      INGEST_RAW_GROUP_ID: groupId,
      INGEST_RAW_TOPIC_PREFIX: prefix,
      INGEST_RAW_TRUSTED_TOPICS: '*',
    });
  });

  afterAll(async () => {
    await Promise.all(children.map((child) => child.stop()));
    await committed?.stop();
    await uncommitted?.stop();
    await producer?.disconnect();
    await admin?.disconnect();
    await tenancy?.close();
    await deleteTopics(kafka, [topic]);
  });

  it('loses no alert and shows no duplicate to a read-committed consumer after a SIGKILL mid-transaction and a restart', async () => {
    const tenantId = uniqueName('crash');
    const alertIds = Array.from({ length: TOTAL }, (_, i) => `crash-${i}`);
    const ofTenant = (tail: TopicTail): number =>
      tail.records().filter((r) => r.key === tenantId).length;

    // The first process stops itself just before committing its second transaction: by then
    // the first one's alerts are committed and the second one's alerts and offsets are sent.
    const first = await startApp({
      name: 'ingest',
      env: { ...env, SOC_TEST_STOP_BEFORE_COMMIT: '2' },
      portVariable: 'INGEST_HTTP_PORT',
      preload: [
        join(__dirname, '..', '..', '..', '..', 'test', 'support', 'stop-before-commit.ts'),
      ],
    });
    children.push(first);
    for (let from = 0; from < TOTAL; from += PRODUCE_CHUNK) {
      await producer.send({
        topic,
        acks: -1,
        // Keyed by alert id, so every partition has work; the tenant rides in the header.
        messages: alertIds.slice(from, from + PRODUCE_CHUNK).map((id, i) => ({
          key: id,
          value: JSON.stringify({
            id,
            severity: 'medium',
            description: `crash test alert ${id}`,
            source_ip: '10.0.0.1',
            timestamp: new Date(Date.UTC(2024, 4, 1) + from + i).toISOString(),
          }),
          headers: { [TENANT_HEADER]: tenantId },
        })),
      });
    }
    await waitFor(() => first.output().includes(STOPPED_BEFORE_COMMIT), {
      timeoutMs: 30_000,
      describe: `the first ingest process to stop before a commit\n${first.output()}`,
    });
    // Some alerts are visible to read-committed consumers, and the open transaction's are
    // written but not (the uncommitted reader sees them).
    await waitFor(
      async () => {
        await committed.tail.catchUp();
        return ofTenant(committed.tail) > 0 && ofTenant(uncommitted) > ofTenant(committed.tail);
      },
      { timeoutMs: 30_000, describe: 'committed alerts and alerts of the open transaction' },
    );
    first.signal('SIGKILL');
    expect(await first.exit).toBe('SIGKILL');
    await committed.tail.catchUp();
    const committedAtKill = ofTenant(committed.tail);
    expect(committedAtKill).toBeGreaterThan(0);
    expect(committedAtKill).toBeLessThan(TOTAL);

    const second = await startApp({ name: 'ingest', env, portVariable: 'INGEST_HTTP_PORT' });
    children.push(second);
    // The restarted consumer's offsets reach the end of the raw topic: every record's alert is
    // then committed, in the same transaction as its offset.
    await waitFor(
      async () => {
        const ends = await admin.fetchTopicOffsets(topic);
        const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return ends.every(
          ({ partition, high }) =>
            offsets?.partitions.find((p) => p.partition === partition)?.offset === high,
        );
      },
      {
        timeoutMs: 90_000,
        intervalMs: 200,
        describe: `group ${groupId} to consume all of ${topic}\n${second.output()}`,
      },
    );
    await committed.tail.catchUp();
    await uncommitted.catchUp();

    const published = (await committed.of(tenantId)).map((r) => r.alert.alertId);
    expect(published).toHaveLength(TOTAL);
    expect(new Set(published)).toEqual(new Set(alertIds));
    // The killed transaction's alerts are in the log, aborted: only read committed hides them.
    expect(ofTenant(uncommitted)).toBeGreaterThan(TOTAL);
  });
});
