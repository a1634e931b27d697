import type { Schema } from 'avsc';
import { infraFromEnv, uniqueName } from '@soc/testing';
import { AvroTopicCodec } from './avro-codec';
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
