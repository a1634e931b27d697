import type { Producer, ProducerRecord } from 'kafkajs';
import type { CanonicalAlert } from '@soc/contracts';
import type { AvroTopicCodec } from '@soc/kafka';
import type { AppMetrics } from '@soc/observability';
import { AlertPublisher } from './alert-publisher';
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

const until = async (condition: () => boolean): Promise<void> => {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
};

describe('IngestService', () => {
  let producer: GatedProducer;
  let service: IngestService;

  beforeEach(() => {
    producer = new GatedProducer();
    const publisher = new AlertPublisher(producer as unknown as Producer, codec, metrics);
    service = new IngestService(publisher, {
      maxBodyBytes: 1 << 20,
      maxBatchItems: 100,
      redeliveryHorizonMs: 3_600_000,
    });
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
});
