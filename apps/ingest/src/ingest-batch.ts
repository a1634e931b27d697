import type { AlertFormat, CanonicalAlert, EpochMs } from '@soc/contracts';
import { normalizeRecord, RedeliveryFilter, type RedeliveryAdmission } from '@soc/domain';
import type { IngestItem } from './http/ingest-body';

export type ItemResult =
  | {
      readonly index: number;
      readonly status: 'accepted';
      readonly alertId: string;
      readonly format: AlertFormat;
    }
  | { readonly index: number; readonly status: 'duplicate'; readonly alertId: string }
  | {
      readonly index: number;
      readonly status: 'rejected';
      readonly field: string;
      readonly reason: string;
      readonly format: string;
    };

export interface IngestContext {
  readonly tenantId: string;
  readonly ingestedAt: EpochMs;
  readonly format?: AlertFormat | undefined;
  readonly sourceSystem?: string | undefined;
}

/** A normalized alert of the batch with its re-delivery key and its place in the results. */
export interface Admitted {
  readonly position: number;
  readonly index: number;
  readonly key: string;
  readonly alert: CanonicalAlert;
}

export interface AdmittedBatch {
  readonly accepted: CanonicalAlert[];
  readonly results: ItemResult[];
  /** Alerts admitted by this batch: their keys are forgotten again if they are not delivered. */
  readonly admitted: Admitted[];
  /** Alerts whose key was already admitted: delivered, or still in flight for another request. */
  readonly duplicates: Admitted[];
}

/**
 * Normalizes a batch of records and filters exact re-deliveries: the one path every ingest
 * door (HTTP, syslog, raw topics, the CLI) goes through. The tenant always comes from the
 * caller's credentials or the door's configuration, never from the record.
 */
export function admitBatch(
  items: readonly IngestItem[],
  context: IngestContext,
  filter: RedeliveryAdmission,
): AdmittedBatch {
  const accepted: CanonicalAlert[] = [];
  const results: ItemResult[] = [];
  const admitted: Admitted[] = [];
  const duplicates: Admitted[] = [];
  for (const item of items) {
    if ('invalid' in item) {
      results.push({
        index: item.index,
        status: 'rejected',
        format: context.format ?? 'unknown',
        ...item.invalid,
      });
      continue;
    }
    const normalized = normalizeRecord(item.record, {
      tenantId: context.tenantId,
      ingestedAt: context.ingestedAt,
      ...(context.format ? { format: context.format } : {}),
      ...(context.sourceSystem ? { sourceSystem: context.sourceSystem } : {}),
    });
    if (!normalized.ok) {
      const { field, reason, format } = normalized.rejection;
      results.push({ index: item.index, status: 'rejected', field, reason, format });
      continue;
    }
    const alert: CanonicalAlert =
      normalized.alert.tenantId === context.tenantId
        ? normalized.alert
        : { ...normalized.alert, tenantId: context.tenantId };
    const key = RedeliveryFilter.keyOf(alert);
    const entry = { position: results.length, index: item.index, key, alert };
    if (!filter.admit(key, context.ingestedAt)) {
      duplicates.push(entry);
      results.push({ index: item.index, status: 'duplicate', alertId: alert.alertId });
      continue;
    }
    admitted.push(entry);
    accepted.push(alert);
    results.push({
      index: item.index,
      status: 'accepted',
      alertId: alert.alertId,
      format: alert.format,
    });
  }
  return { accepted, results, admitted, duplicates };
}
