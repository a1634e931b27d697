import { readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { Partitioners, type Kafka, type Producer } from 'kafkajs';
import { TOPICS } from '@soc/contracts';
import {
  testKafka,
  uniqueName,
  waitFor,
  AlertTail,
  alertTopicPartitions,
  createSpecTenancy,
  ingestEnv,
  prepareTopics,
  specRawTopicPrefix,
  type SpecTenancy,
  type SpecTenant,
  TopicTail,
} from '@soc/testing';
import { freePort, startApp, type AppProcess } from '../support/app-process';
import { buildCorpus, type HostileCase } from './corpus';

/** The ingest process's peak resident memory may not pass this over the whole corpus. */
const MEMORY_BOUND_BYTES = 768 * 1024 * 1024;
const RAW_FORMATS = ['splunk', 'ms-graph', 'cef'] as const;

/** Peak resident set size of a process (VmHWM), in bytes. */
const peakMemory = (pid: number): number => {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? NaN) * 1024;
};

/**
 * The hostile-input corpus (corpus.ts) through the real doors of a real ingest process:
 * HTTP, syslog over UDP and TCP, and raw topics. Every record is accepted (with its caps
 * recorded), refused with a reason, or dead-lettered with a reason; afterwards every door still
 * takes an ordinary alert (no consumer or listener stopped) and the process stayed under its
 * memory bound.
 */
describe('hostile-input corpus through every ingest door', () => {
  let kafka: Kafka;
  let tenancy: SpecTenancy;
  let tenant: SpecTenant;
  let alerts: AlertTail;
  let deadLetters: TopicTail;
  let producer: Producer;
  let ingest: AppProcess;
  let syslogPort = 0;
  const rawPrefix = specRawTopicPrefix();
  const nonce = uniqueName('hostile');
  const corpus = buildCorpus(nonce);

  beforeAll(async () => {
    kafka = testKafka();
    const partitions = await alertTopicPartitions(kafka);
    tenancy = await createSpecTenancy('hostile_corpus');
    tenant = await tenancy.tenant('hostile');
    await prepareTopics(
      kafka,
      partitions,
      RAW_FORMATS.map((f) => `${rawPrefix}${f}`),
    );
    alerts = await AlertTail.start(kafka);
    deadLetters = await TopicTail.start(kafka, TOPICS.alertsDeadLetter);
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    syslogPort = await freePort();
    const env = ingestEnv(tenancy.database.url, partitions, {
      SYSLOG_TENANT_ID: tenant.tenantId,
      SYSLOG_TCP_PORT: String(syslogPort),
      SYSLOG_UDP_PORT: String(syslogPort),
      INGEST_RAW_FORMATS: RAW_FORMATS.join(','),
      INGEST_RAW_TOPIC_PREFIX: rawPrefix,
      INGEST_RAW_TRUSTED_TOPICS: '*',
      INGEST_RAW_GROUP_ID: uniqueName('hostile-raw'),
    });
    delete (env as Record<string, string>).INGEST_HTTP_PORT;
    ingest = await startApp({ name: 'ingest', env, portVariable: 'INGEST_HTTP_PORT' });
  });

  afterAll(async () => {
    await ingest?.stop();
    await producer?.disconnect();
    await alerts?.stop();
    await deadLetters?.stop();
    await tenancy?.close();
  });

  const postHttp = async (body: Buffer, contentType: string) => {
    const response = await fetch(`${ingest.url}/api/v1/alerts`, {
      method: 'POST',
      headers: { 'content-type': contentType, 'x-api-key': tenant.ingestKey },
      body,
    });
    return { status: response.status, text: await response.text() };
  };

  const sendUdp = (datagram: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const socket = createSocket('udp4');
      socket.send(datagram, syslogPort, '127.0.0.1', (error) => {
        socket.close();
        if (error) reject(error);
        else resolve();
      });
    });

  const sendTcp = (stream: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const socket = connect(syslogPort, '127.0.0.1', () => socket.end(stream));
      socket.on('error', reject);
      socket.on('close', () => resolve());
    });

  const send = async (c: HostileCase): Promise<void> => {
    switch (c.door) {
      case 'http': {
        const reply = await postHttp(c.body, c.contentType);
        if (c.expect.kind === 'refused') {
          expect({ name: c.name, status: reply.status }).toEqual({
            name: c.name,
            status: c.expect.status,
          });
          expect(reply.text).toMatch(c.expect.reason);
        } else {
          // The whole answer in the diff when it is not a 202: it names the field and reason.
          expect({ name: c.name, status: reply.status, text: reply.text.slice(0, 400) }).toEqual({
            name: c.name,
            status: 202,
            text: reply.status === 202 ? reply.text.slice(0, 400) : '(202 expected)',
          });
        }
        return;
      }
      case 'syslog-udp':
        return sendUdp(c.datagram);
      case 'syslog-tcp':
        return sendTcp(c.stream);
      case 'raw':
        await producer.send({
          topic: `${rawPrefix}${c.format}`,
          acks: -1,
          messages: [{ key: tenant.tenantId, value: c.value }],
        });
        return;
      default: {
        const unreachable: never = c;
        throw new Error(`unknown door ${JSON.stringify(unreachable)}`);
      }
    }
  };

  const alertOf = (alertId: string, prefix: boolean) =>
    waitFor(
      async () =>
        (await alerts.of(tenant.tenantId)).find((r) =>
          prefix ? r.alert.alertId.startsWith(alertId) : r.alert.alertId === alertId,
        ),
      { timeoutMs: 30_000, describe: () => `alert ${alertId}\n${ingest.output()}` },
    );

  it('accepts, caps or dead-letters every record with a reason, and every door keeps working', async () => {
    for (const c of corpus) await send(c);

    for (const c of corpus) {
      const outcome = c.expect;
      if (outcome.kind === 'alert') {
        const read = await alertOf(outcome.alertId || `${nonce}-long-id`, outcome.alertId === '');
        expect({ name: c.name, truncated: read.alert.truncated }).toEqual({
          name: c.name,
          truncated: outcome.truncated,
        });
        expect(JSON.stringify(read.alert)).not.toMatch(/\\u0000|\\ud[89ab]/);
      } else if (outcome.kind === 'dead-letter') {
        const letter = await waitFor(
          () => deadLetters.records().find((r) => r.value?.includes(outcome.marker)),
          { timeoutMs: 30_000, describe: () => `dead letter of ${c.name}\n${ingest.output()}` },
        );
        expect({ name: c.name, reason: letter.headers['x-dlq-reason'] }).toEqual({
          name: c.name,
          reason: expect.stringMatching(outcome.reason),
        });
      }
    }
    const all = await alerts.of(tenant.tenantId);
    expect(all.some((r) => r.alert.alertId === `${nonce}-hidden`)).toBe(false);

    // Every door still takes an ordinary alert after the corpus.
    const line = (door: string) =>
      `CEF:0|Acme|Sensor|1.0|100|after ${door}|5|rt=${Date.now()} externalId=${nonce}-after-${door}`;
    expect((await postHttp(Buffer.from(line('http')), 'text/plain')).status).toBe(202);
    await sendUdp(Buffer.from(line('udp')));
    await sendTcp(Buffer.from(`${line('tcp')}\n`));
    await producer.send({
      topic: `${rawPrefix}cef`,
      acks: -1,
      messages: [{ key: tenant.tenantId, value: Buffer.from(line('raw')) }],
    });
    for (const door of ['http', 'udp', 'tcp', 'raw'])
      await alertOf(`${nonce}-after-${door}`, false);

    const peak = peakMemory(ingest.pid);
    process.stdout.write(
      `${JSON.stringify({ hostileCorpus: corpus.length, ingestPeakRssBytes: peak })}\n`,
    );
    expect(peak).toBeLessThan(MEMORY_BOUND_BYTES);
  });
});
