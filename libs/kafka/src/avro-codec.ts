import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import * as avro from 'avsc';

/** avsc declares its resolver class without exporting it. */
type Resolver = ReturnType<avro.Type['createResolver']>;

/** Confluent wire format: magic byte 0, 4-byte big-endian schema id, Avro binary body. */
const MAGIC_BYTE = 0;
const HEADER_BYTES = 5;
const JSON_OPEN_BRACE = 0x7b;

/** A record that can never be decoded (poison): it belongs in the dead-letter topic. */
export class UndecodableRecordError extends Error {
  constructor(
    readonly reason: string,
    readonly field: string = 'value',
  ) {
    super(reason);
  }
}

/** Between the TypeScript shape of a topic's values and the record avsc reads and writes. */
export interface AvroMapping<T> {
  readonly toAvro: (value: T) => unknown;
  readonly fromAvro: (record: unknown) => T;
}

const identity = <T>(): AvroMapping<T> => ({
  toAvro: (value) => value,
  fromAvro: (record) => record as T,
});

export interface AvroDecoderOptions<T> {
  /** Maps the decoded record to `T`; may narrow it, and what it throws makes the record poison. */
  readonly fromAvro?: (record: unknown) => T;
  /** Narrows a JSON object: used when `accepts` is `json`. */
  readonly fromJson?: (value: unknown) => T;
  /**
   * The one wire format the topic carries (default `avro`): a record in the other is poison,
   * with a reason naming the format found.
   */
  readonly accepts?: 'avro' | 'json';
  /**
   * The registry subject of the decoder's own schema (`<topic>-value`): a 404 for a writer id
   * is poison only while the registry still holds it, transient otherwise.
   */
  readonly subject: string;
}

const reasonOf = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

/**
 * Decodes one topic's values against the schema registry. Older writer schemas are resolved
 * to the current reader schema, which is where old event shapes are upcast, so the mapping
 * only ever sees the latest shape. Records that can never be decoded throw
 * UndecodableRecordError (poison); registry outages are rethrown as they are (transient), so
 * the batch is retried.
 */
export class AvroDecoder<T> {
  private readonly resolvers = new Map<number, avro.Type | Resolver>();
  protected readonly type: avro.Type;
  private readonly fromAvro: (record: unknown) => T;
  private readonly fromJson: ((value: unknown) => T) | undefined;
  private readonly accepts: 'avro' | 'json';
  readonly subject: string;

  constructor(
    private readonly registry: SchemaRegistry,
    schema: avro.Schema,
    options: AvroDecoderOptions<T>,
  ) {
    this.subject = options.subject;
    this.type = avro.Type.forSchema(schema);
    this.fromAvro = options.fromAvro ?? identity<T>().fromAvro;
    this.fromJson = options.fromJson;
    this.accepts = options.accepts ?? 'avro';
    if (this.accepts === 'json' && this.fromJson === undefined)
      throw new Error(`decoder of ${this.subject} accepts JSON but has no fromJson`);
  }

  /** Decodes a framed record; throws UndecodableRecordError for poison, rethrows transient errors. */
  async decode(buffer: Buffer | null): Promise<T> {
    if (!buffer || buffer.length === 0) throw new UndecodableRecordError('empty record value');
    const first = buffer.readUInt8(0);
    if (this.accepts === 'json') {
      if (first === JSON_OPEN_BRACE && this.fromJson) return this.decodeJson(buffer, this.fromJson);
      throw new UndecodableRecordError(
        first === MAGIC_BYTE
          ? 'an Avro-framed record on a topic configured for JSON'
          : `not a JSON object: first byte ${first}`,
      );
    }
    if (first !== MAGIC_BYTE) {
      throw new UndecodableRecordError(
        first === JSON_OPEN_BRACE
          ? 'a JSON record on a topic configured for Avro (magic byte 0 expected)'
          : `not Avro-framed: magic byte ${first}, expected 0`,
      );
    }
    if (buffer.length < HEADER_BYTES) {
      throw new UndecodableRecordError('not Avro-framed: shorter than the 5-byte header');
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
        `Avro body does not match schema ${writerId}: ${reasonOf(error)}`,
      );
    }
    return mapped(() => this.fromAvro(record), 'Avro record does not map to a value');
  }

  /** Reads writer `id` as the current schema from now on (the codec's own registration). */
  protected knowsWriter(id: number): void {
    this.resolvers.set(id, this.type);
  }

  private decodeJson(buffer: Buffer, fromJson: (value: unknown) => T): T {
    let parsed: unknown;
    try {
      parsed = JSON.parse(buffer.toString('utf8'));
    } catch (error) {
      throw new UndecodableRecordError(`invalid JSON: ${reasonOf(error)}`);
    }
    return mapped(() => fromJson(parsed), 'JSON record does not map to a value');
  }

  private async resolverFor(writerId: number): Promise<avro.Type | Resolver> {
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
    // The current schema written by another producer needs no resolution: a resolver would
    // only slow every read down.
    if (writer.equals(this.type)) {
      this.resolvers.set(writerId, this.type);
      return this.type;
    }
    let resolver: Resolver;
    try {
      resolver = this.type.createResolver(writer);
    } catch (error) {
      throw new UndecodableRecordError(
        `schema id ${writerId} is not readable as ${this.type.name ?? 'the reader schema'}: ${reasonOf(error)}`,
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

/** A mapping that rejects a record makes it poison; its own UndecodableRecordError is kept. */
function mapped<T>(map: () => T, what: string): T {
  try {
    return map();
  } catch (error) {
    if (error instanceof UndecodableRecordError) throw error;
    throw new UndecodableRecordError(`${what}: ${reasonOf(error)}`);
  }
}

/**
 * Encodes and decodes one topic's values. Encoding is synchronous after registration (the hot
 * path); decoding is the AvroDecoder's.
 */
export class AvroTopicCodec<T> extends AvroDecoder<T> {
  private constructor(
    registry: SchemaRegistry,
    subject: string,
    schema: avro.Schema,
    readonly schemaId: number,
    private readonly mapping: AvroMapping<T>,
  ) {
    super(registry, schema, { fromAvro: mapping.fromAvro, subject });
    this.knowsWriter(schemaId);
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
    return new AvroTopicCodec(registry, subject, schema, id, mapping);
  }

  encode(value: T): Buffer {
    const body = this.type.toBuffer(this.mapping.toAvro(value));
    const framed = Buffer.allocUnsafe(HEADER_BYTES + body.length);
    framed.writeUInt8(MAGIC_BYTE, 0);
    framed.writeInt32BE(this.schemaId, 1);
    body.copy(framed, HEADER_BYTES);
    return framed;
  }
}

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
