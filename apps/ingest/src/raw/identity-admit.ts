import type { CanonicalAlert } from '@soc/contracts';
import type { AdmittedBatch, IngestContext } from '../ingest-batch';
import type { IngestItem } from '../http/ingest-body';

/**
 * Ingest's business step (normalization, re-delivery filtering) as an identity, for the
 * pipeline bench's transport ceiling (SOC_BENCH_IDENTITY_STEPS, libs/config): a raw record is
 * taken to be a canonical alert already and goes to the Avro encoder as it is, with the
 * door's tenant and arrival time. A record that is not one fails its batch at encoding, which
 * is why this serves the bench's canonical topic only.
 */
export function admitAsCanonical(
  items: readonly IngestItem[],
  context: IngestContext,
): AdmittedBatch {
  const accepted: CanonicalAlert[] = [];
  const results: AdmittedBatch['results'] = [];
  for (const item of items) {
    if ('invalid' in item) {
      results.push({ index: item.index, status: 'rejected', format: 'canonical', ...item.invalid });
      continue;
    }
    const alert = {
      ...(item.record as CanonicalAlert),
      tenantId: context.tenantId,
      ingestedAt: context.ingestedAt,
    };
    accepted.push(alert);
    results.push({
      index: item.index,
      status: 'accepted',
      alertId: alert.alertId,
      format: alert.format,
    });
  }
  return { accepted, results, admitted: [], duplicates: [] };
}
