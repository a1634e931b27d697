import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import * as avro from 'avsc';

/** avsc declares its resolver class without exporting it. */
type Resolver = ReturnType<avro.Type['createResolver']>;

/** Confluent wire format: magic byte 0, 4-byte big-endian schema id, Avro binary body. */
const MAGIC_BYTE = 0;
const HEADER_BYTES = 5;

/** A record that can never be decoded (poison): it belongs in the dead-letter topic. */
export class UndecodableRecordError extends Error {
  constructor(
    readonly reason: string,
    readonly field: string = 'value',
  ) {
    super(reason);
  }
}

export interface AvroMapping<T> {
  readonly toAvro: (value: T) => unknown;
  readonly fromAvro: (record: unknown) => T;
}

const identity = <T>(): AvroMapping<T> => ({
  toAvro: (value) => value,
  fromAvro: (record) => record as T,
});

/**
 * Encodes and decodes one topic's values against the schema registry. Encoding is
 * synchronous after registration (the hot path); decoding resolves older writer schemas to
 * the current reader schema, which is where old event shapes are upcast.
 */
export class AvroTopicCodec<T> {
  private readonly resolvers = new Map<number, avro.Type | Resolver>();

  private constructor(
    private readonly registry: SchemaRegistry,
    readonly subject: string,
    readonly schemaId: number,
    private readonly type: avro.Type,
    private readonly mapping: AvroMapping<T>,
  ) {
    this.resolvers.set(schemaId, type);
  }

  /** Registers the schema under `<topic>-value` with BACKWARD_TRANSITIVE compatibility. */
  static async register<T>(
    registry: SchemaRegistry,
    topic: string,
    schema: avro.Schema,
    mapping: AvroMapping<T> = identity<T>(),
  ): Promise<AvroTopicCodec<T>> {
    const subject = `${topic}-value`;
    const { id } = await registerRacingPeers(registry, subject, schema);
    const type = avro.Type.forSchema(schema);
    return new AvroTopicCodec(registry, subject, id, type, mapping);
  }

  encode(value: T): Buffer {
    const body = this.type.toBuffer(this.mapping.toAvro(value));
    const framed = Buffer.allocUnsafe(HEADER_BYTES + body.length);
    framed.writeUInt8(MAGIC_BYTE, 0);
    framed.writeInt32BE(this.schemaId, 1);
    body.copy(framed, HEADER_BYTES);
    return framed;
  }

  /** Decodes a framed record; throws UndecodableRecordError for poison, rethrows transient errors. */
  async decode(buffer: Buffer | null): Promise<T> {
    if (!buffer || buffer.length < HEADER_BYTES) {
      throw new UndecodableRecordError('not Avro-framed: shorter than the 5-byte header');
    }
    if (buffer.readUInt8(0) !== MAGIC_BYTE) {
      throw new UndecodableRecordError(
        `not Avro-framed: magic byte ${buffer.readUInt8(0)}, expected 0`,
      );
    }
    const writerId = buffer.readInt32BE(1);
    const resolver = this.resolvers.get(writerId) ?? (await this.resolverFor(writerId));
    let record: unknown;
    try {
      record =
        resolver === this.type
          ? this.type.fromBuffer(buffer.subarray(HEADER_BYTES))
          : this.type.fromBuffer(buffer.subarray(HEADER_BYTES), resolver as Resolver);
    } catch (error) {
      throw new UndecodableRecordError(
        `Avro body does not match schema ${writerId}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return this.mapping.fromAvro(record);
  }

  private async resolverFor(writerId: number): Promise<Resolver> {
    let writer: avro.Type;
    try {
      // The registry client hands back its own avsc Type; rebuild it from its JSON schema so
      // that reader and writer come from one avsc instance with the same options.
      const fetched = (await this.registry.getSchema(writerId)) as unknown as {
        schema(): avro.Schema;
      };
      writer = avro.Type.forSchema(fetched.schema());
    } catch (error) {
      if (isNotFound(error) && (await this.registryKnowsOwnSchema())) {
        throw new UndecodableRecordError(`unknown schema id ${writerId} in the registry`);
      }
      throw error;
    }
    let resolver: Resolver;
    try {
      resolver = this.type.createResolver(writer);
    } catch (error) {
      throw new UndecodableRecordError(
        `schema id ${writerId} is not readable as ${this.subject}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    this.resolvers.set(writerId, resolver);
    return resolver;
  }

  /**
   * A 404 proves the writer's schema unknown only when the registry is the healthy one that
   * holds this codec's own schema: a registry that fails over to an empty or lagging node
   * answers 404 for every id, and dead-lettering then would commit valid records away. So a
   * 404 is transient (the caller retries) unless the registry, asked past the client's
   * cache, still holds this codec's own subject.
   */
  private async registryKnowsOwnSchema(): Promise<boolean> {
    try {
      await this.registry.getLatestSchemaId(this.subject);
      return true;
    } catch {
      return false;
    }
  }
}

const isNotFound = (error: unknown): boolean =>
  (error as { status?: number }).status === 404 || /not found/i.test(String(error));

const REGISTER_ATTEMPTS = 5;

/**
 * The registry client sets a new subject's compatibility after registering its first schema,
 * when it found no config. Instances booting together race there: one that reads the config
 * between a peer's register and its config write sees the registry default and reports a
 * compatibility mismatch; one that loses the config write gets 409 from Apicurio (rule exists)
 * where Confluent's registry overwrites. Both settle once the winner's write lands, so retry
 * them with backoff a few times; a mismatch that persists is real and is thrown.
 */
async function registerRacingPeers(
  registry: SchemaRegistry,
  subject: string,
  schema: avro.Schema,
): Promise<{ id: number }> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await registry.register(
        { type: 'AVRO' as never, schema: JSON.stringify(schema) },
        { subject, compatibility: 'BACKWARD_TRANSITIVE' as never },
      );
    } catch (error) {
      const { name, status, url } = error as { name?: string; status?: number; url?: string };
      const lostConfigWrite = status === 409 && url?.includes('/config/') === true;
      const peerNotDone = name === 'ConfluentSchemaRegistryCompatibilityError';
      if (!(lostConfigWrite || peerNotDone) || attempt >= REGISTER_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** (attempt - 1)));
    }
  }
}
