import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import type { Kafka } from 'kafkajs';
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
  type SpecTenancy,
  TopicTail,
} from '@soc/testing';
import { startIngest, type RunningIngest } from '../../test/ingest-app';
import type { SyslogPorts } from './syslog.server';

const MAX_CONNECTIONS = 3;
const IDLE_TIMEOUT_MS = 1_500;
const MAX_FRAME_BYTES = 4_096;

const cefLine = (nonce: string): string =>
  `CEF:0|Acme|Sensor|1.0|100|Port scan ${nonce}|7|rt=${Date.UTC(2024, 4, 1)} src=10.0.0.1 externalId=${nonce}`;

/** A self-signed certificate for 127.0.0.1, made for this run and deleted after it. */
function selfSignedCertificate(): { dir: string; cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'syslog-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { dir, cert, key };
}

/**
 * The syslog door's bounds on the real stack: TLS (RFC 5425), tenants by sender address,
 * connection limits, idle timeouts, oversized and lying frames, dead letters with reasons.
 */
describe('syslog listeners under hostile senders', () => {
  let kafka: Kafka;
  let tenancy: SpecTenancy;
  let alerts: AlertTail;
  let deadLetters: TopicTail;
  let ingest: RunningIngest;
  let ports: SyslogPorts;
  let certificate: ReturnType<typeof selfSignedCertificate>;
  const loopbackTenant = uniqueName('syslog-loopback');

  beforeAll(async () => {
    kafka = testKafka();
    const partitions = await alertTopicPartitions(kafka);
    tenancy = await createSpecTenancy('ingest_syslog_bounds');
    certificate = selfSignedCertificate();
    await prepareTopics(kafka, partitions, []);
    alerts = await AlertTail.start(kafka);
    deadLetters = await TopicTail.start(kafka, TOPICS.alertsDeadLetter);
    ingest = await startIngest(
      ingestEnv(tenancy.database.url, partitions, {
        SYSLOG_TENANT_BY_SENDER: `192.0.2.0/24=elsewhere,127.0.0.0/8=${loopbackTenant}`,
        SYSLOG_TCP_PORT: '0',
        SYSLOG_UDP_PORT: '0',
        SYSLOG_TLS_PORT: '0',
        SYSLOG_TLS_CERT_FILE: certificate.cert,
        SYSLOG_TLS_KEY_FILE: certificate.key,
        SYSLOG_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
        SYSLOG_IDLE_TIMEOUT: `${IDLE_TIMEOUT_MS}ms`,
        SYSLOG_MAX_FRAME_BYTES: String(MAX_FRAME_BYTES),
      }),
    );
    ports = ingest.syslog as SyslogPorts;
  });

  afterAll(async () => {
    await ingest?.close();
    await alerts?.stop();
    await deadLetters?.stop();
    await tenancy?.close();
    if (certificate) rmSync(certificate.dir, { recursive: true, force: true });
  });

  const alertWith = (nonce: string) =>
    waitFor(
      async () =>
        (await alerts.of(loopbackTenant)).find((r) => r.alert.alertId === nonce) ?? undefined,
      { timeoutMs: 20_000, describe: `alert ${nonce} on soc.alerts.v1\n${ingest.logs()}` },
    );

  const deadLetterContaining = (text: string) =>
    waitFor(() => deadLetters.records().find((r) => r.value?.toString('utf8').includes(text)), {
      timeoutMs: 20_000,
      describe: `a dead letter containing ${text}`,
    });

  const openTcp = (): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const socket = connect(ports.tcpPort, '127.0.0.1', () => resolve(socket));
      socket.once('error', reject);
    });

  const closed = (socket: Socket): Promise<void> =>
    new Promise((resolve) =>
      socket.destroyed ? resolve() : socket.once('close', () => resolve()),
    );

  it('reads CEF over TLS on its own port, for the tenant of the sender address', async () => {
    const nonce = uniqueName('tls');
    const socket = connectTls({
      host: '127.0.0.1',
      port: ports.tlsPort as number,
      ca: readFileSync(certificate.cert),
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => resolve());
      socket.once('error', reject);
    });
    const line = cefLine(nonce);
    socket.end(`${Buffer.byteLength(line)} ${line}`);
    const read = await alertWith(nonce);
    expect(read.record.key).toBe(loopbackTenant);
    expect(read.alert.sourceSystem).toBe('syslog');
  });

  it('never reads a line hidden in an oversized octet-counted frame, and dead-letters the frame', async () => {
    const hidden = uniqueName('hidden');
    const after = uniqueName('after-lie');
    const frame = `${cefLine(hidden)}\n`.padEnd(70_000, 'p');
    const next = cefLine(after);
    const socket = await openTcp();
    socket.end(`70000 ${frame}${Buffer.byteLength(next)} ${next}`);
    await alertWith(after);
    const letter = await deadLetterContaining(hidden);
    expect(letter.headers['x-dlq-reason']).toBe(`frame over the limit of ${MAX_FRAME_BYTES} bytes`);
    expect(letter.headers['x-dlq-source-topic']).toBe('syslog+tcp');
    expect((await alerts.of(loopbackTenant)).some((r) => r.alert.alertId === hidden)).toBe(false);
  });

  it('dead-letters a line the normalizer rejects, with its reason and sender', async () => {
    const nonce = uniqueName('not-cef');
    const udp = createSocket('udp4');
    await new Promise<void>((resolve, reject) =>
      udp.send(Buffer.from(`hello ${nonce}`), ports.udpPort, '127.0.0.1', (e) =>
        e ? reject(e) : resolve(),
      ),
    );
    udp.close();
    const letter = await deadLetterContaining(nonce);
    expect(letter.key).toBe(loopbackTenant);
    expect(letter.headers['x-dlq-reason']).toContain('unrecognized format');
    expect(letter.headers['x-dlq-source-topic']).toBe('syslog+udp');
    expect(letter.headers['x-dlq-source-address']).toBe('127.0.0.1');
  });

  it('reads the line after a 65 KB datagram of carriage returns', async () => {
    const nonce = uniqueName('after-cr');
    const udp = createSocket('udp4');
    const send = (bytes: Buffer) =>
      new Promise<void>((resolve, reject) =>
        udp.send(bytes, ports.udpPort, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
      );
    await send(Buffer.alloc(65_000, 0x0d));
    await send(Buffer.from(cefLine(nonce)));
    udp.close();
    await alertWith(nonce);
  });

  it('closes connections past the limit and connections that stay silent', async () => {
    const held = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => openTcp()));
    const extra = await openTcp();
    await closed(extra);
    const started = Date.now();
    await Promise.all(held.map(closed));
    expect(Date.now() - started).toBeLessThan(IDLE_TIMEOUT_MS * 4);
    const metrics = await (await fetch(`${ingest.url}/metrics`)).text();
    expect(metrics).toMatch(
      /soc_syslog_dropped_total\{[^}]*reason="connection_limit"[^}]*\} [1-9]/,
    );
    expect(metrics).toMatch(/soc_syslog_dropped_total\{[^}]*reason="idle_timeout"[^}]*\} [1-9]/);
  });
});
