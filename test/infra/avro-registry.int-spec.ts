// An Avro record through the real schema registry and a real topic: the bytes on the wire carry
// the Confluent framing (magic byte 0, 4-byte big-endian schema id) and decode back to the record.
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { Partitioners } from 'kafkajs';
import { createTopic, infraFromEnv, testKafka, uniqueName, waitFor } from '@soc/testing';

const probeSchema = (name: string) => ({
  type: 'record',
  name,
  namespace: 'soc.test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'severity', type: 'int' },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
});

describe('Avro through the schema registry', () => {
  it('frames a registered schema id on the wire and decodes the consumed bytes back to the record', async () => {
    const { schemaRegistryUrl } = infraFromEnv();
    const topic = await createTopic(uniqueName('avro-plumbing'), 1);
    const registry = new SchemaRegistry({ host: schemaRegistryUrl });
    const { id } = await registry.register(
      {
        type: SchemaType.AVRO,
        schema: JSON.stringify(probeSchema(`Probe_${uniqueName('r').replace(/-/g, '_')}`)),
      },
      { subject: `${topic}-value` },
    );
    const record = {
      id: 'alert-1',
      severity: 73,
      tags: ['edr', 'lateral-movement'],
      note: 'from a test',
    };
    const encoded = await registry.encode(id, record);

    const kafka = testKafka();
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'alert-1', value: encoded }] });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('avro-plumbing-group') });
    const received: Buffer[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => void (message.value && received.push(message.value)),
      });
      const [bytes] = await waitFor(() => received.length > 0 && received, {
        timeoutMs: 60_000,
        describe: `a record on ${topic}`,
      });
      expect(bytes?.readUInt8(0)).toBe(0);
      expect(bytes?.readUInt32BE(1)).toBe(id);
      // A registry client with an empty cache has to fetch the schema by id from the server.
      expect(await new SchemaRegistry({ host: schemaRegistryUrl }).decode(bytes as Buffer)).toEqual(
        record,
      );
    } finally {
      await consumer.disconnect();
    }
  });
});
