import type { Producer, ProducerRecord } from 'kafkajs';
import type { CanonicalAlert } from '@soc/contracts';
import type { AvroTopicCodec } from '@soc/kafka';
import type { AppMetrics } from '@soc/observability';
import { AlertPublisher } from './alert-publisher';
import { RedeliveryFilter } from '@soc/domain';
import type { WrittenAlerts } from './alert-log-tail';
import { IngestService, IngestUnavailable } from './ingest.service';

/**
 * The coordination between concurrent requests, in isolation: the producer is a gate the test
 * opens or fails, so the interleaving is exact. The real broker's side (503 on a failed send,
 * the retry accepted, batches cut under the message limit) is in http/ingest-faults.int-spec.ts.
 */
class GatedProducer {
  readonly sent: string[] = [];
  private readonly gates: { resolve: () => void; reject: (e: Error) => void }[] = [];

  send(record: ProducerRecord): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.gates.push({
        resolve: () => {
          for (const m of record.messages) this.sent.push(String(m.value));
          resolve();
        },
        reject,
      });
    });
  }

  get waiting(): number {
    return this.gates.length;
  }

  open(): void {
    this.gates.shift()?.resolve();
  }

  fail(): void {
    this.gates.shift()?.reject(new Error('broker unreachable'));
  }
}

const codec = {
  encode: (alert: CanonicalAlert) => Buffer.from(alert.alertId),
} as unknown as AvroTopicCodec<CanonicalAlert>;
const metrics = { messagesOut: { inc: () => undefined } } as unknown as AppMetrics;

const record = (id: string) => ({
  index: 0,
  record: { id, severity: 'high', description: id, timestamp: '2026-01-15T12:00:00Z' },
});

/** The alert log as the service sees it: keys written, and a catch-up the test releases. */
class LogStandIn implements WrittenAlerts {
  readonly keys = new Set<string>();
  private readonly listeners = new Set<(key: string) => void>();
  private readonly pending: (() => void)[] = [];
  holdCatchUp = false;

  has(key: string): boolean {
    return this.keys.has(key);
  }

  caughtUp(): Promise<void> {
    if (!this.holdCatchUp) return Promise.resolve();
    return new Promise((resolve) => this.pending.push(resolve));
  }

  release(): void {
    for (const resolve of this.pending.splice(0)) resolve();
  }

  onWritten(listener: (key: string) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  write(key: string): void {
    this.keys.add(key);
    for (const listener of this.listeners) listener(key);
  }
}

const keyOf = (alertId: string) =>
  RedeliveryFilter.keyOf({ tenantId: 'acme', sourceSystem: 'simple-json', alertId });

const until = async (condition: () => boolean): Promise<void> => {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
};

describe('IngestService', () => {
  let producer: GatedProducer;
  let service: IngestService;
  let log: LogStandIn;
  const limits = {
    maxBodyBytes: 1 << 20,
    maxBatchItems: 100,
    redeliveryHorizonMs: 3_600_000,
    redeliveryMaxBytes: 1 << 20,
    publishTimeoutMs: 2_000,
  };

  beforeEach(() => {
    producer = new GatedProducer();
    log = new LogStandIn();
    const publisher = new AlertPublisher(producer as unknown as Producer, codec, metrics);
    service = new IngestService(publisher, limits, log);
  });

  it('makes a retry that arrives during the first publish wait for it, and publish the alert itself when it fails', async () => {
    const first = service.ingest([record('a-1')], { tenantId: 'acme' });
    await until(() => producer.waiting === 1);
    const retry = service.ingest([record('a-1')], { tenantId: 'acme' });
    producer.fail();
    await expect(first).rejects.toBeInstanceOf(IngestUnavailable);
    await until(() => producer.waiting === 1);
    producer.open();
    expect((await retry).results).toEqual([
      { index: 0, status: 'accepted', alertId: 'a-1', format: 'simple-json' },
    ]);
    expect(producer.sent).toEqual(['a-1']);
  });

  it('answers a retry duplicate only once the first publish was acknowledged', async () => {
    const first = service.ingest([record('b-1')], { tenantId: 'acme' });
    await until(() => producer.waiting === 1);
    let retried = false;
    const retry = service.ingest([record('b-1')], { tenantId: 'acme' }).finally(() => {
      retried = true;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(retried).toBe(false);
    producer.open();
    await first;
    expect((await retry).results).toEqual([{ index: 0, status: 'duplicate', alertId: 'b-1' }]);
    expect(producer.sent).toEqual(['b-1']);
  });

  it('does not deadlock two requests that each carry the other one in-flight alert', async () => {
    const left = service.ingest([record('c-1')], { tenantId: 'acme' });
    await until(() => producer.waiting === 1);
    const right = service.ingest([record('c-2'), { ...record('c-1'), index: 1 }], {
      tenantId: 'acme',
    });
    await until(() => producer.waiting === 2);
    producer.open();
    producer.open();
    await left;
    expect((await right).results.map((r) => r.status)).toEqual(['accepted', 'duplicate']);
  });

  it('answers duplicate for an alert the log shows written by another process, sending nothing', async () => {
    log.write(keyOf('d-1'));
    expect((await service.ingest([record('d-1')], { tenantId: 'acme' })).results).toEqual([
      { index: 0, status: 'duplicate', alertId: 'd-1' },
    ]);
    expect(producer.waiting).toBe(0);
  });

  it('admits nothing before the log is read up to date', async () => {
    log.holdCatchUp = true;
    const request = service.ingest([record('e-1')], { tenantId: 'acme' });
    await new Promise((resolve) => setImmediate(resolve));
    expect(producer.waiting).toBe(0);
    log.write(keyOf('e-1'));
    log.release();
    expect((await request).results.map((r) => r.status)).toEqual(['duplicate']);
  });

  it('answers 503 at the deadline, and a retry waits for the publish that outlived it', async () => {
    const publisher = new AlertPublisher(producer as unknown as Producer, codec, metrics);
    const hurried = new IngestService(publisher, { ...limits, publishTimeoutMs: 50 }, log);
    const first = hurried.ingest([record('f-1')], { tenantId: 'acme' });
    await expect(first).rejects.toBeInstanceOf(IngestUnavailable);
    const retry = hurried.ingest([record('f-1')], { tenantId: 'acme' });
    await expect(retry).rejects.toThrow('Kafka did not answer within 50 ms');
    producer.open();
    expect((await hurried.ingest([record('f-1')], { tenantId: 'acme' })).results).toEqual([
      { index: 0, status: 'duplicate', alertId: 'f-1' },
    ]);
    expect(producer.sent).toEqual(['f-1']);
  });
});
