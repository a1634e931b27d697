import { request as httpRequest } from 'node:http';
import type { Kafka } from 'kafkajs';
import { ALERT_FORMATS, type AlertFormat, type CanonicalAlert } from '@soc/contracts';
import { normalizeRecord, type NormalizeResult } from '@soc/domain';
import {
  AlertTail,
  alertTopicPartitions,
  createSpecTenancy,
  goldenInputs,
  ingestEnv,
  prepareTopics,
  testKafka,
  uniqueName,
  waitFor,
  type GoldenInput,
  type ReadAlert,
  type SpecTenancy,
  type SpecTenant,
} from '@soc/testing';
import { startIngest, type RunningIngest } from '../../test/ingest-app';

const MAX_BODY_BYTES = 64 * 1024;
const MAX_BATCH_ITEMS = 20;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

type ItemResult = Record<string, unknown>;

describe('ingest HTTP doors on Kafka, the registry and Postgres', () => {
  let kafka: Kafka;
  let tenancy: SpecTenancy;
  let alerts: AlertTail;
  let ingest: RunningIngest;

  beforeAll(async () => {
    kafka = testKafka();
    const partitions = await alertTopicPartitions(kafka);
    tenancy = await createSpecTenancy('ingest_http');
    await prepareTopics(kafka, partitions, []);
    alerts = await AlertTail.start(kafka);
    ingest = await startIngest(
      ingestEnv(tenancy.database.url, partitions, {
        INGEST_MAX_BODY_BYTES: String(MAX_BODY_BYTES),
        INGEST_MAX_BATCH_ITEMS: String(MAX_BATCH_ITEMS),
      }),
    );
  });

  afterAll(async () => {
    await ingest?.close();
    await alerts?.stop();
    await tenancy?.close();
  });

  const post = async (
    path: string,
    body: string,
    contentType: string | undefined,
    apiKey: string | undefined,
    headers: Readonly<Record<string, string>> = {},
  ): Promise<Reply> => {
    const response = await fetch(`${ingest.url}${path}`, {
      method: 'POST',
      headers: {
        ...(contentType ? { 'content-type': contentType } : {}),
        ...(apiKey ? { 'x-api-key': apiKey } : {}),
        ...headers,
      },
      body,
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  };

  /** Sends the body in chunks without a content length (chunked), with only the headers given. */
  const postWithNodeHttp = (
    path: string,
    chunks: readonly string[],
    headers: Readonly<Record<string, string>>,
  ): Promise<Reply> =>
    new Promise<Reply>((resolve, reject) => {
      const req = httpRequest(`${ingest.url}${path}`, { method: 'POST', headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
          }),
        );
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        // The server may answer and close while chunks are still being written.
        if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
      });
      for (const chunk of chunks) req.write(chunk);
      req.end();
    });

  /**
   * The tenant's alerts published so far. A marker alert is sent last and waited for: the app
   * publishes with one producer, keyed by tenant, and answers only after Kafka acknowledged,
   * so whatever an earlier request published sits before the marker on the same partition.
   */
  const settledAlerts = async (tenant: SpecTenant): Promise<ReadAlert[]> => {
    const marker = uniqueName('marker');
    const reply = await post(
      '/api/v1/alerts',
      JSON.stringify({
        id: marker,
        severity: 'low',
        description: 'marker',
        timestamp: new Date().toISOString(),
      }),
      'application/json',
      tenant.ingestKey,
    );
    expect(reply.status).toBe(202);
    const published = await waitFor(
      async () => {
        const read = await alerts.of(tenant.tenantId);
        return read.some((r) => r.alert.alertId === marker) && read;
      },
      { timeoutMs: 20_000, describe: `marker ${marker} of ${tenant.tenantId} on soc.alerts.v1` },
    );
    return published.filter((r) => !r.alert.alertId.startsWith('marker-'));
  };

  /** What the one normalization path makes of the records the door hands it. */
  const normalizeAll = (
    records: readonly unknown[],
    tenantId: string,
    ingestedAt: number,
    format?: AlertFormat,
  ): NormalizeResult[] =>
    records.map((record) =>
      normalizeRecord(record, { tenantId, ingestedAt, ...(format ? { format } : {}) }),
    );

  const itemResults = (results: readonly NormalizeResult[]): ItemResult[] =>
    results.map((result, index) =>
      result.ok
        ? { index, status: 'accepted', alertId: result.alert.alertId, format: result.alert.format }
        : { index, status: 'rejected', ...result.rejection },
    );

  /**
   * The arrival time is the app's clock; a canonical alert keeps the one it was sent with. The
   * expectation was normalized with `arrival` standing in for the app's clock.
   */
  const expectSameAlert = (
    published: CanonicalAlert,
    expected: CanonicalAlert,
    arrival: number,
  ): void => {
    // An alert without a time of its own was stamped with its arrival: observedAt is ingestedAt.
    const withoutArrival = (alert: CanonicalAlert) => ({
      ...alert,
      ingestedAt: 0,
      observedAt: alert.observedAtFromArrival ? 0 : alert.observedAt,
    });
    expect(withoutArrival(published)).toEqual(withoutArrival(expected));
    if (published.observedAtFromArrival) expect(published.observedAt).toBe(published.ingestedAt);
    if (expected.ingestedAt === arrival) {
      expect(published.ingestedAt).toBeGreaterThanOrEqual(arrival);
      expect(published.ingestedAt).toBeLessThanOrEqual(Date.now());
    } else {
      expect(published.ingestedAt).toBe(expected.ingestedAt);
    }
  };

  /** Sends a golden input as a sender would: a JSON document, NDJSON, or text lines. */
  const sendGolden = async (
    path: string,
    input: GoldenInput,
    tenant: SpecTenant,
    format?: AlertFormat,
  ) => {
    const sentAt = Date.now();
    const seen =
      input.kind === 'json-lines'
        ? input.records.map((line) => JSON.parse(String(line)) as unknown)
        : input.records;
    let reply: Reply;
    let batch = true;
    if (input.kind === 'json-document') {
      batch = input.records.length > 1;
      reply = await post(
        path,
        JSON.stringify(batch ? input.records : input.records[0]),
        'application/json',
        tenant.ingestKey,
      );
    } else if (input.kind === 'json-lines') {
      reply = await post(
        path,
        `${input.records.join('\n')}\n`,
        'application/x-ndjson',
        tenant.ingestKey,
      );
    } else {
      reply = await post(
        path,
        `${input.records.join('\r\n')}\r\n`,
        'text/plain; charset=utf-8',
        tenant.ingestKey,
      );
    }
    return { reply, batch, sentAt, expected: normalizeAll(seen, tenant.tenantId, sentAt, format) };
  };

  const expectReplyMatches = (
    reply: Reply,
    batch: boolean,
    expected: readonly NormalizeResult[],
  ): void => {
    const items = itemResults(expected);
    const accepted = expected.filter((r) => r.ok).length;
    expect(reply.status).toBe(accepted > 0 ? 202 : 400);
    if (batch) {
      expect(reply.body).toEqual({
        accepted,
        duplicates: 0,
        rejected: expected.length - accepted,
        results: items,
      });
    } else {
      expect(reply.body).toEqual(accepted > 0 ? items[0] : { error: 'invalid alert', ...items[0] });
    }
  };

  const expectPublished = async (
    tenant: SpecTenant,
    expected: readonly NormalizeResult[],
    sentAt: number,
  ): Promise<ReadAlert[]> => {
    const published = await settledAlerts(tenant);
    const wanted = expected.flatMap((r) => (r.ok ? [r.alert] : []));
    expect(published.map((r) => r.alert.alertId)).toEqual(wanted.map((a) => a.alertId));
    published.forEach(({ alert, record }, i) => {
      expectSameAlert(alert, wanted[i] as CanonicalAlert, sentAt);
      expect(record.key).toBe(tenant.tenantId);
      expect(record.headers.traceparent).toMatch(TRACEPARENT);
    });
    return published;
  };

  const inputs = goldenInputs();

  it('has a golden input for every format', () => {
    expect(new Set(inputs.map((i) => i.format)).size).toBe(ALERT_FORMATS.length);
  });

  describe.each(inputs.map((input) => [`${input.format}/${input.file}`, input] as const))(
    'POST /api/v1/alerts with %s',
    (_name, input) => {
      it('answers per item as the normalizer decides and publishes exactly its alerts, keyed by tenant with a traceparent', async () => {
        const tenant = await tenancy.tenant('http');
        const { reply, batch, sentAt, expected } = await sendGolden(
          '/api/v1/alerts',
          input,
          tenant,
        );
        // The reviewed golden results say how many records are alerts; the door must agree.
        expect(expected.filter((r) => r.ok)).toHaveLength(input.expectedAlerts);
        expectReplyMatches(reply, batch, expected);
        await expectPublished(tenant, expected, sentAt);
      });
    },
  );

  describe.each([
    ['splunk', 'splunk'],
    ['elastic', 'elastic'],
  ] as const)('POST /api/v1/webhooks/%s', (sender, format) => {
    it.each(inputs.filter((i) => i.format === format).map((i) => [i.file, i] as const))(
      "takes %s as the sender's format",
      async (_file, input) => {
        const tenant = await tenancy.tenant('webhook');
        const { reply, batch, sentAt, expected } = await sendGolden(
          `/api/v1/webhooks/${sender}`,
          input,
          tenant,
          format,
        );
        expect(expected.filter((r) => r.ok)).toHaveLength(input.expectedAlerts);
        expectReplyMatches(reply, batch, expected);
        await expectPublished(tenant, expected, sentAt);
      },
    );
  });

  it('answers 404 for a webhook sender it does not know', async () => {
    const tenant = await tenancy.tenant('webhook');
    const reply = await post('/api/v1/webhooks/qradar', '{}', 'application/json', tenant.ingestKey);
    expect(reply.status).toBe(404);
    expect(reply.body).toMatchObject({ field: 'sender' });
  });

  it('reads text lines as the format named in the query', async () => {
    const tenant = await tenancy.tenant('named');
    const input = inputs.find(
      (i) => i.format === 'leef' && i.expectedAlerts === i.records.length,
    ) as GoldenInput;
    const { reply, batch, sentAt, expected } = await sendGolden(
      '/api/v1/alerts?format=leef',
      input,
      tenant,
      'leef',
    );
    expectReplyMatches(reply, batch, expected);
    await expectPublished(tenant, expected, sentAt);
  });

  it('answers 400 naming the query parameter for an unknown format', async () => {
    const tenant = await tenancy.tenant('named');
    const reply = await post(
      '/api/v1/alerts?format=syslog',
      'CEF:0|a|b|c|d|e|5|rt=1714557600000',
      'text/plain',
      tenant.ingestKey,
    );
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ field: 'format' });
  });

  it("continues the sender's trace in the traceparent header with a new span", async () => {
    const tenant = await tenancy.tenant('trace');
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const incoming = `00-${traceId}-00f067aa0ba902b7-01`;
    const alert = {
      id: 'T-1',
      severity: 'high',
      description: 'traced',
      timestamp: '2024-05-01T10:00:00Z',
    };
    const reply = await post(
      '/api/v1/alerts',
      JSON.stringify(alert),
      'application/json',
      tenant.ingestKey,
      { traceparent: incoming },
    );
    expect(reply.status).toBe(202);
    const [published] = await settledAlerts(tenant);
    const header = published?.record.headers.traceparent ?? '';
    expect(TRACEPARENT.exec(header)?.[1]).toBe(traceId);
    expect(header).not.toBe(incoming);
  });

  describe('rejections', () => {
    it('answers 400 with the field path of an alert without a timestamp and publishes nothing', async () => {
      const tenant = await tenancy.tenant('invalid');
      const reply = await post(
        '/api/v1/alerts',
        JSON.stringify({
          id: 'A-1',
          severity: 'high',
          description: 'no time',
          source_ip: '10.0.0.1',
        }),
        'application/json',
        tenant.ingestKey,
      );
      expect(reply.status).toBe(400);
      expect(reply.body).toEqual({
        error: 'invalid alert',
        index: 0,
        status: 'rejected',
        format: 'simple-json',
        field: 'timestamp',
        reason: 'missing: every alert needs an event time',
      });
      expect(await settledAlerts(tenant)).toEqual([]);
    });

    it('accepts the valid items of a batch and names the invalid ones by index and field', async () => {
      const tenant = await tenancy.tenant('invalid');
      const good = {
        id: 'B-1',
        severity: 'low',
        description: 'fine',
        timestamp: '2024-05-01T10:00:00Z',
      };
      const body = [
        JSON.stringify(good),
        '{"id":"B-2","severity":',
        JSON.stringify({ ...good, id: 'B-3', timestamp: 'yesterday' }),
      ].join('\n');
      const reply = await post('/api/v1/alerts', body, 'application/x-ndjson', tenant.ingestKey);
      expect(reply.status).toBe(202);
      expect(reply.body).toMatchObject({ accepted: 1, duplicates: 0, rejected: 2 });
      const results = reply.body.results as ItemResult[];
      expect(results[0]).toMatchObject({ index: 0, status: 'accepted', alertId: 'B-1' });
      expect(results[1]).toMatchObject({ index: 1, status: 'rejected', field: '[1]' });
      expect(results[2]).toMatchObject({ index: 2, status: 'rejected', field: 'timestamp' });
      expect((await settledAlerts(tenant)).map((r) => r.alert.alertId)).toEqual(['B-1']);
    });

    it('answers 400 for a body that is not JSON', async () => {
      const tenant = await tenancy.tenant('invalid');
      const reply = await post(
        '/api/v1/alerts',
        '{"id": "C-1", ',
        'application/json',
        tenant.ingestKey,
      );
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ error: 'invalid body', field: 'body' });
    });

    it('answers 413 for a body over the limit it declares', async () => {
      const tenant = await tenancy.tenant('large');
      const alert = {
        id: 'L-1',
        severity: 'low',
        description: 'x'.repeat(MAX_BODY_BYTES),
        timestamp: '2024-05-01T10:00:00Z',
      };
      const reply = await post(
        '/api/v1/alerts',
        JSON.stringify(alert),
        'application/json',
        tenant.ingestKey,
      );
      expect(reply.status).toBe(413);
      expect(reply.body).toMatchObject({ error: 'payload too large', field: 'body' });
      expect(await settledAlerts(tenant)).toEqual([]);
    });

    it('answers 413 for a chunked body that grows over the limit', async () => {
      const tenant = await tenancy.tenant('large');
      const line = `${JSON.stringify({ id: 'L-2', severity: 'low', description: 'y'.repeat(1000), timestamp: '2024-05-01T10:00:00Z' })}\n`;
      const chunks = Array.from(
        { length: Math.ceil(MAX_BODY_BYTES / line.length) + 1 },
        () => line,
      );
      const reply = await postWithNodeHttp('/api/v1/alerts', chunks, {
        'content-type': 'application/x-ndjson',
        'x-api-key': tenant.ingestKey,
      });
      expect(reply.status).toBe(413);
      expect(reply.body).toMatchObject({ error: 'payload too large', field: 'body' });
      expect(await settledAlerts(tenant)).toEqual([]);
    });

    it('answers 413 for a batch with more items than allowed', async () => {
      const tenant = await tenancy.tenant('large');
      const lines = Array.from({ length: MAX_BATCH_ITEMS + 1 }, (_, i) =>
        JSON.stringify({
          id: `M-${i}`,
          severity: 'low',
          description: 'many',
          timestamp: '2024-05-01T10:00:00Z',
        }),
      );
      const reply = await post(
        '/api/v1/alerts',
        lines.join('\n'),
        'application/x-ndjson',
        tenant.ingestKey,
      );
      expect(reply.status).toBe(413);
      expect(reply.body).toMatchObject({ error: 'batch too large', field: 'body' });
      expect(await settledAlerts(tenant)).toEqual([]);
    });

    it('answers 415 for a content type it does not read', async () => {
      const tenant = await tenancy.tenant('media');
      const reply = await post('/api/v1/alerts', '<alert/>', 'application/xml', tenant.ingestKey);
      expect(reply.status).toBe(415);
      expect(reply.body).toMatchObject({ error: 'unsupported media type', field: 'content-type' });
    });

    it('answers 415 when the content type is missing', async () => {
      const tenant = await tenancy.tenant('media');
      // fetch would add text/plain to a string body; node:http sends only the headers given.
      const reply = await postWithNodeHttp(
        '/api/v1/alerts',
        ['CEF:0|a|b|c|d|e|5|rt=1714557600000'],
        { 'x-api-key': tenant.ingestKey },
      );
      expect(reply.status).toBe(415);
      expect(reply.body).toMatchObject({ error: 'unsupported media type', field: 'content-type' });
    });
  });

  describe('authentication', () => {
    const alert = JSON.stringify({
      id: 'K-1',
      severity: 'low',
      description: 'auth',
      timestamp: '2024-05-01T10:00:00Z',
    });

    it('answers 401 without an API key', async () => {
      const reply = await post('/api/v1/alerts', alert, 'application/json', undefined);
      expect(reply.status).toBe(401);
      expect(reply.body).toMatchObject({ field: 'x-api-key', reason: 'missing API key header' });
    });

    it('answers 401 for a key that was never issued', async () => {
      const reply = await post(
        '/api/v1/alerts',
        alert,
        'application/json',
        `soc_0123456789abcdef_${'A'.repeat(43)}`,
      );
      expect(reply.status).toBe(401);
      expect(reply.body).toMatchObject({ field: 'x-api-key' });
    });

    it('answers 403 for an analyst key and publishes nothing', async () => {
      const tenant = await tenancy.tenant('auth');
      const reply = await post('/api/v1/alerts', alert, 'application/json', tenant.analystKey);
      expect(reply.status).toBe(403);
      expect(reply.body).toMatchObject({ field: 'x-api-key' });
      expect(await settledAlerts(tenant)).toEqual([]);
    });
  });

  describe('re-delivery', () => {
    it('answers duplicate for an exact re-delivery and publishes the alert once', async () => {
      const tenant = await tenancy.tenant('dup');
      const alert = JSON.stringify({
        id: 'D-1',
        severity: 'high',
        description: 'twice',
        timestamp: '2024-05-01T10:00:00Z',
      });
      const first = await post('/api/v1/alerts', alert, 'application/json', tenant.ingestKey);
      expect(first.status).toBe(202);
      expect(first.body).toEqual({
        index: 0,
        status: 'accepted',
        alertId: 'D-1',
        format: 'simple-json',
      });
      const again = await post('/api/v1/alerts', alert, 'application/json', tenant.ingestKey);
      expect(again.status).toBe(202);
      expect(again.body).toEqual({ index: 0, status: 'duplicate', alertId: 'D-1' });
      const inOneBatch = await post(
        '/api/v1/alerts',
        `[${alert},${alert}]`,
        'application/json',
        tenant.ingestKey,
      );
      expect(inOneBatch.body).toMatchObject({ accepted: 0, duplicates: 2, rejected: 0 });
      expect((await settledAlerts(tenant)).map((r) => r.alert.alertId)).toEqual(['D-1']);
    });

    it('treats the same alert id of another tenant as a new alert', async () => {
      const [a, b] = [await tenancy.tenant('dup'), await tenancy.tenant('dup')];
      const alert = JSON.stringify({
        id: 'D-2',
        severity: 'high',
        description: 'shared id',
        timestamp: '2024-05-01T10:00:00Z',
      });
      for (const tenant of [a, b]) {
        const reply = await post('/api/v1/alerts', alert, 'application/json', tenant.ingestKey);
        expect(reply.body).toMatchObject({ status: 'accepted', alertId: 'D-2' });
      }
      for (const tenant of [a, b]) {
        const published = await settledAlerts(tenant);
        expect(published.map((r) => [r.alert.tenantId, r.alert.alertId])).toEqual([
          [tenant.tenantId, 'D-2'],
        ]);
      }
    });
  });
});
