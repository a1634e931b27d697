import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { ReadModelEvent } from '@soc/domain';
import { UndecodableRecordError } from '@soc/kafka';
import { parseReadModelEvent, type EventFamily } from './event-guard';

/** Maps a record as avsc decoded it to the TypeScript event shape (unions, nullables). */
export type AvroToEvent = (record: unknown) => unknown;

const MAGIC_BYTE = 0;
const JSON_OPEN_BRACE = 0x7b;

/**
 * Decodes incident and feedback records. Avro in the Confluent wire format (magic byte 0) goes
 * through the schema registry; JSON objects are accepted too, for producers that have no
 * schema yet. Either way the result is narrowed by the event guard. Records that can never be
 * decoded throw UndecodableRecordError (poison); registry outages are rethrown as they are
 * (transient), so the batch is retried.
 */
export class RecordDecoder {
  constructor(
    private readonly registry: SchemaRegistry | null,
    private readonly avroMappings: Partial<Record<EventFamily, AvroToEvent>> = {},
  ) {}

  async decode(value: Buffer | null, family: EventFamily): Promise<ReadModelEvent> {
    if (!value || value.length === 0) throw new UndecodableRecordError('empty record value');
    const first = value.readUInt8(0);
    if (first === MAGIC_BYTE)
      return parseReadModelEvent(await this.decodeAvro(value, family), family);
    if (first === JSON_OPEN_BRACE) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value.toString('utf8'));
      } catch (error) {
        throw new UndecodableRecordError(
          `invalid JSON: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      return parseReadModelEvent(parsed, family);
    }
    throw new UndecodableRecordError(
      `neither Avro (magic byte 0) nor a JSON object: first byte ${first}`,
    );
  }

  private async decodeAvro(value: Buffer, family: EventFamily): Promise<unknown> {
    if (!this.registry)
      throw new UndecodableRecordError('Avro record but no schema registry configured');
    if (value.length < 5)
      throw new UndecodableRecordError('not Avro-framed: shorter than the 5-byte header');
    const schemaId = value.readInt32BE(1);
    try {
      await this.registry.getSchema(schemaId);
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 404 || /not found/i.test(String(error))) {
        throw new UndecodableRecordError(`unknown schema id ${schemaId} in the registry`);
      }
      throw error;
    }
    let record: unknown;
    try {
      record = (await this.registry.decode(value)) as unknown;
    } catch (error) {
      throw new UndecodableRecordError(
        `Avro body does not match schema ${schemaId}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const mapping = this.avroMappings[family];
    try {
      return mapping ? mapping(record) : record;
    } catch (error) {
      if (error instanceof UndecodableRecordError) throw error;
      throw new UndecodableRecordError(
        `Avro record does not map to an event: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
