import type { Kafka, Producer } from 'kafkajs';
import { issueApiKey } from '@soc/persistence';
import {
  TcpProxy,
  testKafka,
  uniqueName,
  waitFor,
  AlertTail,
  alertTopicPartitions,
  createSpecTenancy,
  ingestEnv,
  prepareTopics,
  type SpecTenancy,
  type SpecTenant,
} from '@soc/testing';
import { PRODUCER } from '../ingest.module';
import { startIngest, type RunningIngest } from '../../test/ingest-app';

interface Reply {
  readonly status: number;
  readonly retryAfter: string | null;
  readonly body: Record<string, unknown>;
}

const simpleAlert = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id,
  severity: 'high',
  description: `alert ${id}`,
  timestamp: new Date().toISOString(),
  ...extra,
});

/**
 * Faults on the real stack, each cut made in front of one service (a TCP forwarder for
 * PostgreSQL) or in the app itself (its producer disconnected), never by stopping the stack
 * other specs share.
 */
describe('ingest under faults', () => {
  let kafka: Kafka;
  let tenancy: SpecTenancy;
  let database: TcpProxy;
  let alerts: AlertTail;
  let ingest: RunningIngest;
  let tenant: SpecTenant;

  beforeAll(async () => {
    kafka = testKafka();
    const partitions = await alertTopicPartitions(kafka);
    tenancy = await createSpecTenancy('ingest_faults');
    const url = new URL(tenancy.database.url);
    database = await TcpProxy.start({ host: url.hostname, port: Number(url.port || 5432) });
    await prepareTopics(kafka, partitions, []);
    alerts = await AlertTail.start(kafka);
    ingest = await startIngest(
      ingestEnv(database.rewrite(tenancy.database.url), partitions, { API_KEY_CACHE: '1ms' }),
    );
    tenant = await tenancy.tenant('faults');
  });

  afterAll(async () => {
    await ingest?.close();
    await database?.cut();
    await alerts?.stop();
    await tenancy?.close();
  });

  const post = async (body: unknown, apiKey: string): Promise<Reply> => {
    const response = await fetch(`${ingest.url}/api/v1/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  };

  const copiesOf = async (alertId: string): Promise<number> =>
    (await alerts.of(tenant.tenantId)).filter((r) => r.alert.alertId === alertId).length;

  const waitForCopies = (alertId: string, count: number): Promise<true> =>
    waitFor(async () => (await copiesOf(alertId)) >= count || undefined, {
      timeoutMs: 20_000,
      describe: `${count} copies of ${alertId} on soc.alerts.v1`,
    });

  it('keeps accepting alerts of a verified key while PostgreSQL is unreachable, and answers 503 for a key it never verified', async () => {
    const unverified = await issueApiKey(tenancy.dataSource, {
      tenantId: tenant.tenantId,
      role: 'ingest',
      name: 'never used before the outage',
    });
    const before = uniqueName('before');
    expect((await post(simpleAlert(before), tenant.ingestKey)).status).toBe(202);

    await database.cut();
    try {
      const during = uniqueName('during');
      const accepted = await post(simpleAlert(during), tenant.ingestKey);
      expect(accepted).toMatchObject({
        status: 202,
        body: { status: 'accepted', alertId: during },
      });
      await waitForCopies(during, 1);

      const refused = await post(simpleAlert(uniqueName('unverified')), unverified.apiKey);
      expect(refused.status).toBe(503);
      expect(refused.retryAfter).toBe('5');
      expect(refused.body).toMatchObject({ field: 'x-api-key' });
    } finally {
      await database.restore();
    }
    const after = await waitFor(
      async () => {
        const reply = await post(simpleAlert(uniqueName('after')), unverified.apiKey);
        return reply.status === 202 && reply;
      },
      { timeoutMs: 20_000, describe: 'the unverified key accepted once PostgreSQL is back' },
    );
    expect(after.body).toMatchObject({ status: 'accepted' });
  });

  it('answers 503 with Retry-After while Kafka does not acknowledge, and accepts the retry once it does', async () => {
    const producer = ingest.app.get<Producer>(PRODUCER);
    const id = uniqueName('outage');
    await producer.disconnect();
    let refused: Reply;
    try {
      refused = await post(simpleAlert(id), tenant.ingestKey);
    } finally {
      await producer.connect();
    }
    expect(refused.status).toBe(503);
    expect(refused.retryAfter).toBe('5');
    expect(refused.body).toMatchObject({ error: 'alerts not written' });

    const retried = await post(simpleAlert(id), tenant.ingestKey);
    expect(retried).toMatchObject({ status: 202, body: { status: 'accepted', alertId: id } });
    const marker = uniqueName('marker');
    expect((await post(simpleAlert(marker), tenant.ingestKey)).status).toBe(202);
    await waitForCopies(marker, 1);
    expect(await copiesOf(id)).toBe(1);
  });

  it('publishes a batch whose alerts together exceed the broker message limit', async () => {
    const ids = Array.from({ length: 30 }, () => uniqueName('bulky'));
    const batch = ids.map((id) => simpleAlert(id, { payload: 'p'.repeat(100_000) }));
    const reply = await post(batch, tenant.ingestKey);
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({ accepted: 30, rejected: 0 });
    await waitForCopies(ids[29] as string, 1);
    for (const id of ids) expect(await copiesOf(id)).toBe(1);
  });
});
