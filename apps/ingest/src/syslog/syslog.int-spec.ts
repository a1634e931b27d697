import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import type { Kafka } from 'kafkajs';
import type { CanonicalAlert } from '@soc/contracts';
import { normalizeRecord } from '@soc/domain';
import {
  AlertTail,
  alertTopicPartitions,
  createSpecTenancy,
  ingestEnv,
  prepareTopics,
  testKafka,
  uniqueName,
  waitFor,
  type ReadAlert,
  type SpecTenancy,
} from '@soc/testing';
import { startIngest, type RunningIngest } from '../../test/ingest-app';

/**
 * CEF and LEEF lines, each made unique by a nonce (the syslog tenant is shared by every test of
 * this file, and the re-delivery filter would answer an identical line as a duplicate).
 */
function syslogLines(nonce: string): string[] {
  const rt = Date.UTC(2024, 4, 1, 10, 0, 0);
  return [
    `CEF:0|Acme|Sensor|1.0|100|Port scan from ${nonce}|7|rt=${rt} src=10.0.0.1 dst=10.0.0.2 dpt=22 externalId=${nonce}-cef`,
    `<134>1 2024-05-01T10:00:01Z fw01 cef - - - CEF:0|Acme|Firewall|2.1|drop|Blocked \\| denied ${nonce}|5|src=10.0.0.3 suser=CORP\\\\alice msg=${nonce}`,
    `LEEF:1.0|Acme|Proxy|3.0|block|\tdevTime=${rt}\tsrc=10.0.0.4\tdst=192.0.2.7\tusrName=bob\tnonce=${nonce}`,
    `<13>May  1 10:00:02 proxy01 LEEF:2.0|Acme|Proxy|3.0|allow|^|src=10.0.0.5^dst=192.0.2.8^sev=3^nonce=${nonce}`,
  ];
}

const octetCounted = (line: string): string => `${Buffer.byteLength(line, 'utf8')} ${line}`;

describe('ingest syslog listeners on Kafka and the registry', () => {
  let kafka: Kafka;
  let tenancy: SpecTenancy;
  let alerts: AlertTail;
  let ingest: RunningIngest;
  let tenantId: string;
  let ports: { readonly tcpPort: number; readonly udpPort: number };

  beforeAll(async () => {
    kafka = testKafka();
    const partitions = await alertTopicPartitions(kafka);
    tenancy = await createSpecTenancy('ingest_syslog');
    tenantId = uniqueName('syslog');
    await prepareTopics(kafka, partitions, []);
    alerts = await AlertTail.start(kafka);
    ingest = await startIngest(
      ingestEnv(tenancy.database.url, partitions, {
        SYSLOG_TENANT_ID: tenantId,
        SYSLOG_TCP_PORT: '0',
        SYSLOG_UDP_PORT: '0',
      }),
    );
    ports = ingest.syslog ?? { tcpPort: 0, udpPort: 0 };
    expect(ports.tcpPort).toBeGreaterThan(0);
    expect(ports.udpPort).toBeGreaterThan(0);
  });

  afterAll(async () => {
    await ingest?.close();
    await alerts?.stop();
    await tenancy?.close();
  });

  const sendTcp = (payload: string, splitAt: readonly number[] = []): Promise<void> =>
    new Promise((resolve, reject) => {
      const socket = connect(ports.tcpPort, '127.0.0.1', () => {
        // Frames cut across writes must be reassembled by the decoder.
        const bytes = Buffer.from(payload, 'utf8');
        let from = 0;
        for (const at of [...splitAt, bytes.length]) {
          socket.write(bytes.subarray(from, at));
          from = at;
        }
        socket.end();
      });
      socket.on('error', reject);
      socket.on('close', () => resolve());
    });

  const sendUdp = async (lines: readonly string[]): Promise<void> => {
    const socket = createSocket('udp4');
    try {
      for (const line of lines) {
        await new Promise<void>((resolve, reject) =>
          socket.send(Buffer.from(line, 'utf8'), ports.udpPort, '127.0.0.1', (error) =>
            error ? reject(error) : resolve(),
          ),
        );
      }
    } finally {
      socket.close();
    }
  };

  /** What the normalizer makes of the lines, as the syslog door calls it. */
  const expectedAlerts = (lines: readonly string[]): CanonicalAlert[] =>
    lines.map((line) => {
      const result = normalizeRecord(line, {
        tenantId,
        ingestedAt: Date.now(),
        sourceSystem: 'syslog',
      });
      if (!result.ok) throw new Error(`test line rejected: ${JSON.stringify(result.rejection)}`);
      return result.alert;
    });

  const awaitAlerts = async (expected: readonly CanonicalAlert[]): Promise<ReadAlert[]> => {
    const ids = new Set(expected.map((a) => a.alertId));
    try {
      return await waitFor(
        async () => {
          const read = (await alerts.of(tenantId)).filter((r) => ids.has(r.alert.alertId));
          return read.length >= expected.length && read;
        },
        { timeoutMs: 20_000, describe: `${expected.length} syslog alerts of ${tenantId}` },
      );
    } catch (error) {
      // The syslog door has no reply: what it rejected or failed to publish is in its log.
      throw new Error(`${(error as Error).message}\n--- ingest log ---\n${ingest.logs()}`);
    }
  };

  const expectPublished = (
    read: readonly ReadAlert[],
    expected: readonly CanonicalAlert[],
  ): void => {
    const byId = (a: { alertId: string }, b: { alertId: string }) =>
      a.alertId.localeCompare(b.alertId);
    const published = read.map((r) => ({ ...r.alert, ingestedAt: 0 })).sort(byId);
    expect(published).toEqual(expected.map((a) => ({ ...a, ingestedAt: 0 })).sort(byId));
    for (const { record, alert } of read) {
      expect(record.key).toBe(tenantId);
      expect(record.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(alert.sourceSystem).toBe('syslog');
    }
  };

  it('reads newline-framed CEF and LEEF over TCP, frames cut across writes included', async () => {
    const lines = syslogLines(uniqueName('tcp-newline'));
    const payload = lines.map((line) => `${line}\n`).join('');
    await sendTcp(payload, [7, Math.floor(payload.length / 2), payload.length - 3]);
    const expected = expectedAlerts(lines);
    expect(expected.map((a) => a.format)).toEqual(['cef', 'cef', 'leef', 'leef']);
    expectPublished(await awaitAlerts(expected), expected);
  });

  it('reads octet-counted CEF and LEEF over TCP', async () => {
    const lines = syslogLines(uniqueName('tcp-octets'));
    const payload = lines.map(octetCounted).join('');
    await sendTcp(payload, [2, 40]);
    const expected = expectedAlerts(lines);
    expectPublished(await awaitAlerts(expected), expected);
  });

  it('takes the last frame of a connection that closes without a newline', async () => {
    const [line] = syslogLines(uniqueName('tcp-unterminated'));
    await sendTcp(line as string);
    const expected = expectedAlerts([line as string]);
    expectPublished(await awaitAlerts(expected), expected);
  });

  it('reads one CEF or LEEF message a UDP datagram', async () => {
    const lines = syslogLines(uniqueName('udp'));
    await sendUdp(lines);
    const expected = expectedAlerts(lines);
    expectPublished(await awaitAlerts(expected), expected);
  });

  it('publishes an alert sent twice once', async () => {
    const [line] = syslogLines(uniqueName('tcp-twice'));
    const [marker] = syslogLines(uniqueName('tcp-marker'));
    await sendTcp(`${line}\n${line}\n`);
    await sendTcp(`${marker}\n`);
    const [expected, markerAlert] = expectedAlerts([line as string, marker as string]);
    await awaitAlerts([markerAlert as CanonicalAlert]);
    const copies = (await alerts.of(tenantId)).filter((r) => r.alert.alertId === expected?.alertId);
    expect(copies).toHaveLength(1);
  });
});
