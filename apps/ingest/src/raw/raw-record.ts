import type { KafkaMessage } from 'kafkajs';
import type { AlertFormat } from '@soc/contracts';

/**
 * Header naming the tenant of a raw record, read only on topics whose producers are trusted to
 * name it (the project's pull and e-mail connectors); the record key is the fallback there.
 */
export const TENANT_HEADER = 'x-tenant-id';

/**
 * Where a raw topic's tenant comes from: the tenant the configuration maps the topic to, else
 * (only when its producers are trusted) the record's header or key. Never from a producer of an
 * untrusted topic: whoever may write a topic must not choose whose alerts they write.
 */
export interface RawTenantSource {
  readonly mapped: string | undefined;
  readonly trusted: boolean;
}

export type RawRecordOutcome =
  | { readonly ok: true; readonly tenantId: string; readonly record: unknown }
  | { readonly ok: false; readonly field: string; readonly reason: string };

/**
 * Fails on malformed bytes. Looking for U+FFFD after a lenient decode instead would also
 * refuse valid records that contain the character itself (Microsoft's Graph alert example does).
 */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Text formats arrive as lines; every other format is one JSON document a record. */
const TEXT_FORMATS: ReadonlySet<AlertFormat> = new Set(['cef', 'leef']);

export interface RawRecordRules {
  readonly format: AlertFormat;
  readonly maxBytes: number;
  readonly tenant: RawTenantSource;
}

function tenantOf(
  message: Pick<KafkaMessage, 'key' | 'headers'>,
  { mapped, trusted }: RawTenantSource,
): string | undefined {
  if (mapped !== undefined) return mapped;
  if (!trusted) return undefined;
  const header = message.headers?.[TENANT_HEADER];
  return (
    (Array.isArray(header) ? header[0] : header)?.toString().trim() ||
    message.key?.toString().trim()
  );
}

/**
 * Reads the tenant and the record from a raw SIEM topic message. Pure: what cannot be read
 * becomes a reason for the dead-letter topic.
 */
export function readRawRecord(
  message: Pick<KafkaMessage, 'key' | 'value' | 'headers'>,
  { format, maxBytes, tenant }: RawRecordRules,
): RawRecordOutcome {
  const tenantId = tenantOf(message, tenant);
  if (!tenantId)
    return {
      ok: false,
      field: 'tenant',
      reason: tenant.trusted
        ? `no tenant: set the ${TENANT_HEADER} header or the record key`
        : 'no tenant: the topic is not in INGEST_RAW_TENANT_BY_TOPIC and its producers are not trusted (INGEST_RAW_TRUSTED_TOPICS)',
    };
  const value = message.value;
  if (!value || value.length === 0) return { ok: false, field: 'value', reason: 'empty record' };
  if (value.length > maxBytes)
    return {
      ok: false,
      field: 'value',
      reason: `record of ${value.length} bytes exceeds the limit of ${maxBytes}`,
    };
  let text: string;
  try {
    text = UTF8.decode(value);
  } catch {
    return { ok: false, field: 'value', reason: 'not valid UTF-8 text' };
  }
  if (TEXT_FORMATS.has(format)) return { ok: true, tenantId, record: text };
  try {
    return { ok: true, tenantId, record: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, field: 'value', reason: `invalid JSON: ${(error as Error).message}` };
  }
}
