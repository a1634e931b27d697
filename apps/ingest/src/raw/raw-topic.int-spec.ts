import type { Admin, IHeaders, Kafka, Message, Producer } from 'kafkajs';
import {
  ALERT_FORMATS,
  DEAD_LETTER_HEADERS,
  TOPICS,
  type AlertFormat,
  type CanonicalAlert,
} from '@soc/contracts';
import { normalizeRecord, type NormalizeResult } from '@soc/domain';
import {
  AlertTail,
  alertTopicPartitions,
  connectIdempotentProducer,
  createSpecTenancy,
  deleteTopics,
  goldenInputs,
  ingestEnv,
  prepareTopics,
  specRawTopicPrefix,
  testKafka,
  TopicTail,
  uniqueName,
  waitFor,
  type SpecTenancy,
  type TailedRecord,
} from '@soc/testing';
import { startIngest, type RunningIngest } from '../../test/ingest-app';
import { readRawRecord, TENANT_HEADER } from './raw-record';

const MAX_RECORD_BYTES = 16 * 1024;
/** Marks each produced record, so its dead letter can be found among other specs' ones. */
const MARKER_HEADER = 'x-spec-record';

interface Produced {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly message: Message;
}

const headerText = (headers: IHeaders | undefined, name: string): string | undefined =>
  headers?.[name]?.toString();

describe('ingest raw SIEM topics on Kafka and the registry', () => {
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let tenancy: SpecTenancy;
  let alerts: AlertTail;
  let deadLetters: TopicTail;
  let ingest: RunningIngest;
  const groupId = uniqueName('ingest-raw');
  /** `<spec>.soc.raw.<format>`: the app reads these instead of the shared `soc.raw.<format>`. */
  const prefix = specRawTopicPrefix();
  const rawTopic = (format: AlertFormat): string => `${prefix}${format}`;

  beforeAll(async () => {
    kafka = testKafka();
    const partitions = await alertTopicPartitions(kafka);
    tenancy = await createSpecTenancy('ingest_raw');
    await prepareTopics(kafka, partitions, ALERT_FORMATS.map(rawTopic));
    admin = kafka.admin();
    await admin.connect();
    producer = await connectIdempotentProducer(kafka);
    alerts = await AlertTail.start(kafka);
    deadLetters = await TopicTail.start(kafka, TOPICS.alertsDeadLetter);
    ingest = await startIngest(
      ingestEnv(tenancy.database.url, partitions, {
        INGEST_RAW_FORMATS: ALERT_FORMATS.join(','),
        INGEST_RAW_GROUP_ID: groupId,
        INGEST_RAW_TOPIC_PREFIX: prefix,
        // The spec's producer plays the project's own connectors, which name the tenant.
        INGEST_RAW_TRUSTED_TOPICS: '*',
        INGEST_MAX_RAW_RECORD_BYTES: String(MAX_RECORD_BYTES),
      }),
    );
  });

  afterAll(async () => {
    await ingest?.close();
    await alerts?.stop();
    await deadLetters?.stop();
    await producer?.disconnect();
    await admin?.disconnect();
    await tenancy?.close();
    await deleteTopics(kafka, ALERT_FORMATS.map(rawTopic));
  });

  /** Produces the messages in order and returns where each landed. */
  const produce = async (topic: string, messages: readonly Message[]): Promise<Produced[]> => {
    const produced: Produced[] = [];
    // One send a message: each one's partition and offset is then its send's base offset.
    for (const message of messages) {
      const [metadata] = await producer.send({ topic, acks: -1, messages: [message] });
      if (!metadata?.baseOffset) throw new Error(`no offset for a record sent to ${topic}`);
      produced.push({ topic, partition: metadata.partition, offset: metadata.baseOffset, message });
    }
    return produced;
  };

  /**
   * Waits until the app committed its consumer offsets past every produced record. Outputs and
   * offsets commit in one transaction, so every alert and dead letter of those records is then
   * committed too; the tails are then read to the end, and what they lack was never written.
   */
  const awaitConsumed = async (produced: readonly Produced[]): Promise<void> => {
    const topics = [...new Set(produced.map((p) => p.topic))];
    await waitFor(
      async () => {
        const committed = await admin.fetchOffsets({ groupId, topics });
        return produced.every(({ topic, partition, offset }) => {
          const at = committed
            .find((t) => t.topic === topic)
            ?.partitions.find((p) => p.partition === partition)?.offset;
          return at !== undefined && BigInt(at) > BigInt(offset);
        });
      },
      {
        timeoutMs: 30_000,
        describe: `group ${groupId} to consume ${produced.length} records on ${topics.join(', ')}`,
      },
    );
    await alerts.tail.catchUp();
    await deadLetters.catchUp();
  };

  const deadLettersMarked = (marker: string): TailedRecord[] =>
    deadLetters.records().filter((record) => record.headers[MARKER_HEADER]?.startsWith(marker));

  /** The dead letter carries the original key, bytes and headers, and says why and whence. */
  const expectDeadLetter = (
    letter: TailedRecord | undefined,
    source: Produced,
    reason: string | RegExp,
    field: string,
  ): void => {
    expect(letter).toBeDefined();
    if (!letter) return;
    const original = source.message;
    expect(letter.value?.equals(Buffer.from(original.value as Buffer | string))).toBe(true);
    expect(letter.key).toBe(
      original.key === undefined || original.key === null ? null : original.key.toString(),
    );
    for (const [name, value] of Object.entries(original.headers ?? {})) {
      expect(letter.headers[name]).toBe(String(value));
    }
    expect(letter.headers[DEAD_LETTER_HEADERS.reason]).toEqual(
      typeof reason === 'string' ? reason : expect.stringMatching(reason),
    );
    expect(letter.headers[DEAD_LETTER_HEADERS.field]).toBe(field);
    expect(letter.headers[DEAD_LETTER_HEADERS.sourceTopic]).toBe(source.topic);
    expect(letter.headers[DEAD_LETTER_HEADERS.sourcePartition]).toBe(String(source.partition));
    expect(letter.headers[DEAD_LETTER_HEADERS.sourceOffset]).toBe(source.offset);
    expect(Date.parse(letter.headers[DEAD_LETTER_HEADERS.failedAt] ?? '')).not.toBeNaN();
  };

  // An alert without a time of its own was stamped with its arrival: observedAt is ingestedAt.
  const withoutArrival = (alert: CanonicalAlert): CanonicalAlert => ({
    ...alert,
    ingestedAt: 0,
    observedAt: alert.observedAtFromArrival ? 0 : alert.observedAt,
  });
  const byAlertId = (a: CanonicalAlert, b: CanonicalAlert): number =>
    a.alertId.localeCompare(b.alertId);

  describe.each(goldenInputs().map((input) => [`${input.format}/${input.file}`, input] as const))(
    'the raw topic of a format with %s',
    (_name, input) => {
      it("publishes the normalizer's alerts for the tenant and dead-letters the rejected records with their reason", async () => {
        const tenantId = uniqueName('raw');
        const marker = uniqueName('golden');
        const topic = rawTopic(input.format);
        // JSON formats carry one JSON document a record; CEF and LEEF one text line.
        const values = input.records.map((record) =>
          typeof record === 'string' ? record : JSON.stringify(record),
        );
        // The tenant rides in the header on even records and in the key on odd ones.
        const messages: Message[] = values.map((value, i) => ({
          key: i % 2 === 1 ? tenantId : null,
          value,
          headers: {
            [MARKER_HEADER]: `${marker}:${i}`,
            ...(i % 2 === 0 ? { [TENANT_HEADER]: tenantId } : {}),
          },
        }));
        const produced = await produce(topic, messages);
        const arrival = Date.now();
        const expected: NormalizeResult[] = produced.map(({ message }) => {
          // What the app reads from the record, then what the one normalization path makes of it.
          const raw = readRawRecord(
            {
              key: message.key ? Buffer.from(message.key) : null,
              value: Buffer.from(String(message.value)),
              headers: message.headers ?? {},
            },
            {
              format: input.format,
              maxBytes: MAX_RECORD_BYTES,
              tenant: { mapped: undefined, trusted: true },
            },
          );
          if (!raw.ok)
            return {
              ok: false,
              rejection: { format: input.format, field: raw.field, reason: raw.reason },
            };
          return normalizeRecord(raw.record, {
            tenantId,
            ingestedAt: arrival,
            format: input.format,
          });
        });
        // The reviewed golden results say how many records are alerts; the raw door must agree.
        expect(expected.filter((r) => r.ok)).toHaveLength(input.expectedAlerts);

        await awaitConsumed(produced);

        const published = await alerts.of(tenantId);
        const wanted = expected.flatMap((r) => (r.ok ? [r.alert] : []));
        expect(published.map((r) => withoutArrival(r.alert)).sort(byAlertId)).toEqual(
          wanted.map(withoutArrival).sort(byAlertId),
        );
        for (const { record } of published) {
          expect(record.key).toBe(tenantId);
          expect(record.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/);
        }

        const letters = deadLettersMarked(marker);
        const rejected = produced.flatMap((source, i) => {
          const result = expected[i];
          return result && !result.ok ? [{ source, rejection: result.rejection }] : [];
        });
        expect(letters).toHaveLength(rejected.length);
        for (const { source, rejection } of rejected) {
          const letter = letters.find(
            (l) => l.headers[MARKER_HEADER] === headerText(source.message.headers, MARKER_HEADER),
          );
          expectDeadLetter(letter, source, rejection.reason, rejection.field);
        }
      });
    },
  );

  it('dead-letters poison records with their original bytes and headers and keeps consuming the partition', async () => {
    const tenantId = uniqueName('poison');
    const marker = uniqueName('poison');
    const topic = rawTopic('suricata');
    const alert = (id: number, extra: Record<string, unknown> = {}) => ({
      timestamp: '2024-05-01T10:00:00.000000+0000',
      flow_id: 1000 + id,
      event_type: 'alert',
      src_ip: '10.0.0.1',
      dest_ip: '192.0.2.1',
      alert: {
        signature_id: 2000 + id,
        signature: `Spec signature ${id}`,
        severity: 2,
        category: 'Spec',
      },
      ...extra,
    });
    const { timestamp: _dropped, ...noTimestamp } = alert(3);
    const timeless = normalizeRecord(noTimestamp, {
      tenantId,
      ingestedAt: Date.now(),
      format: 'suricata',
    });
    if (timeless.ok) throw new Error('a suricata alert without a timestamp was accepted');
    expect(timeless.rejection.field).toBe('timestamp');
    const cases: { value: Buffer | string; reason: string | RegExp; field: string | null }[] = [
      { value: JSON.stringify(alert(1)), reason: '', field: null },
      {
        value: Buffer.from([0xff, 0xfe, 0x00, 0x81, 0x7b]),
        reason: 'not valid UTF-8 text',
        field: 'value',
      },
      { value: '{"event_type":"alert","src_ip":', reason: /^invalid JSON: /, field: 'value' },
      {
        value: JSON.stringify(alert(2, { payload_printable: 'x'.repeat(MAX_RECORD_BYTES) })),
        reason: /^record of \d+ bytes exceeds the limit of 16384$/,
        field: 'value',
      },
      {
        value: JSON.stringify(noTimestamp),
        reason: timeless.rejection.reason,
        field: timeless.rejection.field,
      },
      { value: JSON.stringify(alert(4)), reason: '', field: null },
    ];
    // One key, so one partition: the good records sit behind and after the poison ones.
    const messages: Message[] = cases.map((c, i) => ({
      key: tenantId,
      value: c.value,
      headers: { [MARKER_HEADER]: `${marker}:${i}`, 'x-origin': 'spec-sensor' },
    }));
    const produced = await produce(topic, messages);
    expect(new Set(produced.map((p) => p.partition)).size).toBe(1);
    await awaitConsumed(produced);

    const published = await alerts.of(tenantId);
    expect(published.map((r) => r.alert.ruleId).sort()).toEqual(['2001', '2004']);
    const letters = deadLettersMarked(marker);
    expect(letters).toHaveLength(4);
    cases.forEach((c, i) => {
      if (c.field === null) return;
      const source = produced[i] as Produced;
      expectDeadLetter(
        letters.find((l) => l.headers[MARKER_HEADER] === `${marker}:${i}`),
        source,
        c.reason,
        c.field,
      );
    });
  });

  it('dead-letters a record that names no tenant', async () => {
    const marker = uniqueName('no-tenant');
    const [source] = await produce(rawTopic('cef'), [
      {
        key: null,
        value: `CEF:0|Acme|Sensor|1.0|100|No tenant|5|rt=${Date.UTC(2024, 4, 1)}`,
        headers: { [MARKER_HEADER]: marker },
      },
    ]);
    await awaitConsumed([source as Produced]);
    const [letter] = deadLettersMarked(marker);
    expectDeadLetter(
      letter,
      source as Produced,
      /^no tenant: set the x-tenant-id header or the record key$/,
      'tenant',
    );
  });

  it("takes the tenant from the header over the key and continues the record's trace", async () => {
    const tenantId = uniqueName('header');
    const keyTenant = uniqueName('key');
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const line = `LEEF:2.0|Acme|Proxy|3.0|block|^|devTime=${Date.UTC(2024, 4, 1)}^src=10.0.0.9^usrName=erin`;
    const produced = await produce(rawTopic('leef'), [
      {
        key: keyTenant,
        value: line,
        headers: { [TENANT_HEADER]: tenantId, traceparent: `00-${traceId}-b7ad6b7169203331-01` },
      },
    ]);
    await awaitConsumed(produced);
    const [published, ...rest] = await alerts.of(tenantId);
    expect(rest).toEqual([]);
    expect(published?.alert.tenantId).toBe(tenantId);
    expect(published?.alert.format).toBe('leef');
    expect(published?.record.headers.traceparent).toMatch(
      new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`),
    );
    expect(await alerts.of(keyTenant)).toEqual([]);
  });

  it('publishes an exact re-delivery on one partition once', async () => {
    const tenantId = uniqueName('redelivery');
    const record = JSON.stringify({
      id: 'W-1',
      timestamp: '2024-05-01T10:00:00.000+0000',
      rule: { level: 10, description: 'Spec rule', id: '5712' },
      agent: { id: '001', name: 'web-01' },
    });
    // Both copies in one send, so they reach the partition's stream together: its re-delivery
    // memory starts afresh when the stream does (after a rebalance), which a loaded machine
    // can otherwise put between two sends.
    const topic = rawTopic('wazuh');
    const copy = { key: tenantId, value: record };
    const [sent] = await producer.send({ topic, acks: -1, messages: [copy, copy] });
    if (!sent?.baseOffset) throw new Error(`no offset for the records sent to ${topic}`);
    const second = String(BigInt(sent.baseOffset) + 1n);
    await awaitConsumed([{ topic, partition: sent.partition, offset: second, message: copy }]);
    expect(await alerts.of(tenantId)).toHaveLength(1);
  });
});
