import type { AlertFormat, CanonicalAlert } from '@soc/contracts';
import { normalizeRecord } from '../../src/normalization/normalize';
import type {
  AlertRejection,
  NormalizeContext,
  NormalizeResult,
} from '../../src/normalization/types';

/** Test support: a fixed context, and unwrapping helpers that fail with the other outcome. */
export const INGESTED_AT = Date.UTC(2026, 0, 15, 12, 0, 0);

export const context = (format?: AlertFormat): NormalizeContext => ({
  tenantId: 'acme',
  ingestedAt: INGESTED_AT,
  ...(format === undefined ? {} : { format }),
});

export function accepted(result: NormalizeResult): CanonicalAlert {
  if (!result.ok)
    throw new Error(`expected an alert, got a rejection: ${JSON.stringify(result.rejection)}`);
  return result.alert;
}

export function rejected(result: NormalizeResult): AlertRejection {
  if (result.ok) throw new Error(`expected a rejection, got an alert: ${result.alert.title}`);
  return result.rejection;
}

export const normalizeOk = (record: unknown, format?: AlertFormat): CanonicalAlert =>
  accepted(normalizeRecord(record, context(format)));

export const normalizeRejected = (record: unknown, format?: AlertFormat): AlertRejection =>
  rejected(normalizeRecord(record, context(format)));

export const entityValues = (
  alert: CanonicalAlert,
  type: CanonicalAlert['entities'][number]['type'],
): string[] =>
  alert.entities
    .filter((e) => e.type === type)
    .map((e) => (e.role === null ? e.value : `${e.role}:${e.value}`));
