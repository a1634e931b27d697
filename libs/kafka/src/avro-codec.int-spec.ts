import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Schema } from 'avsc';
import { infraFromEnv, uniqueName } from '@soc/testing';
import { AvroDecoder, AvroTopicCodec, UndecodableRecordError } from './avro-codec';
import { createSchemaRegistry } from './registry';

const schema: Schema = {
  type: 'record',
  name: 'CodecProbe',
  namespace: 'soc.spec',
  fields: [{ name: 'id', type: 'string' }],
};

describe('AvroTopicCodec on the real registry', () => {
  it('registers one schema id when several instances boot at once on a new subject', async () => {
    const url = infraFromEnv().schemaRegistryUrl;
    // The race is narrow (between the client's config check and its config write): several new
    // subjects with six instances each, every instance with its own client as processes have.
    const topics = Array.from({ length: 5 }, () => uniqueName('codec-race'));
    const codecs = await Promise.all(
      topics.map((topic) =>
        Promise.all(
          Array.from({ length: 6 }, () =>
            AvroTopicCodec.register<{ readonly id: string }>(
              createSchemaRegistry(url),
              topic,
              schema,
            ),
          ),
        ),
      ),
    );
    for (const instances of codecs) {
      expect(new Set(instances.map((codec) => codec.schemaId)).size).toBe(1);
      const [first, second] = instances;
      expect(await second?.decode(first?.encode({ id: 'a' }) ?? null)).toEqual({ id: 'a' });
    }
  });
});

describe('a decoder accepts only the wire format of its topic', () => {
  it('makes a JSON record on an Avro topic, and an Avro record on a JSON topic, poison', async () => {
    const registry = createSchemaRegistry(infraFromEnv().schemaRegistryUrl);
    const topic = uniqueName('codec-format');
    const avroCodec = await AvroTopicCodec.register<{ readonly id: string }>(
      registry,
      topic,
      schema,
    );
    const json = Buffer.from('{"id":"a"}');
    await expect(avroCodec.decode(json)).rejects.toThrow(
      new UndecodableRecordError(
        'a JSON record on a topic configured for Avro (magic byte 0 expected)',
      ),
    );
    const jsonDecoder = new AvroDecoder<unknown>(registry, schema, {
      subject: `${topic}-value`,
      accepts: 'json',
      fromJson: (value) => value,
    });
    expect(await jsonDecoder.decode(json)).toEqual({ id: 'a' });
    await expect(jsonDecoder.decode(avroCodec.encode({ id: 'a' }))).rejects.toBeInstanceOf(
      UndecodableRecordError,
    );
    await expect(jsonDecoder.decode(avroCodec.encode({ id: 'a' }))).rejects.toThrow(
      /Avro-framed record on a topic configured for JSON/,
    );
  });
});

describe('AvroTopicCodec when the registry answers 404', () => {
  const probe = (schemaId: number): Buffer => {
    const framed = Buffer.alloc(6);
    framed.writeInt32BE(schemaId, 1);
    return framed;
  };

  it('dead-letters a schema id the healthy registry does not hold', async () => {
    const codec = await AvroTopicCodec.register<{ readonly id: string }>(
      createSchemaRegistry(infraFromEnv().schemaRegistryUrl),
      uniqueName('codec-404'),
      schema,
    );
    await expect(codec.decode(probe(2_000_000_000))).rejects.toBeInstanceOf(UndecodableRecordError);
  });

  it('treats 404 as transient when the registry no longer holds even its own subject', async () => {
    const realUrl = infraFromEnv().schemaRegistryUrl;
    let failedOver = false;
    // The documented 40403 answer of a registry that failed over to an empty node; until then
    // every request goes to the real registry.
    const server = createServer((req, res) => {
      if (failedOver) {
        res.writeHead(404, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
        res.end(JSON.stringify({ error_code: 40403, message: 'Schema not found' }));
        return;
      }
      const target = new URL(
        `${new URL(realUrl).pathname.replace(/\/$/, '')}${req.url ?? ''}`,
        realUrl,
      );
      req.pipe(
        httpRequest(target, { method: req.method, headers: req.headers }, (upstream) => {
          res.writeHead(upstream.statusCode ?? 502, upstream.headers);
          upstream.pipe(res);
        }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const codec = await AvroTopicCodec.register<{ readonly id: string }>(
        createSchemaRegistry(`http://127.0.0.1:${port}/`),
        uniqueName('codec-failover'),
        schema,
      );
      failedOver = true;
      const failure = await codec.decode(probe(2_000_000_001)).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(Error);
      expect(failure).not.toBeInstanceOf(UndecodableRecordError);
    } finally {
      server.close();
    }
  });
});
