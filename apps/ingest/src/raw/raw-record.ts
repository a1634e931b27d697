import type { KafkaMessage } from 'kafkajs';
import type { AlertFormat } from '@soc/contracts';

/** Header naming the tenant of a raw record; the record key is the fallback. */
export const TENANT_HEADER = 'x-tenant-id';

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

/**
 * Reads the tenant and the record from a raw SIEM topic message. Pure: what cannot be read
 * becomes a reason for the dead-letter topic.
 */
export function readRawRecord(
  message: Pick<KafkaMessage, 'key' | 'value' | 'headers'>,
  format: AlertFormat,
  maxBytes: number,
): RawRecordOutcome {
  const header = message.headers?.[TENANT_HEADER];
  const tenantId =
    (Array.isArray(header) ? header[0] : header)?.toString().trim() ||
    message.key?.toString().trim();
  if (!tenantId)
    return {
      ok: false,
      field: 'tenant',
      reason: `no tenant: set the ${TENANT_HEADER} header or the record key`,
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
