import type { AlertFormat } from '@soc/contracts';
import { RedeliveryFilter } from '@soc/domain';
import type { AlertPublisher } from './alert-publisher';
import type { IngestItem } from './http/ingest-body';
import { admitBatch, type ItemResult } from './ingest-batch';

export interface IngestRequest {
  readonly tenantId: string;
  readonly format?: AlertFormat | undefined;
  readonly sourceSystem?: string | undefined;
  readonly traceparent?: string | undefined;
}

/**
 * The HTTP and syslog doors: normalize, drop exact re-deliveries, and publish. Resolves only
 * once Kafka acknowledged every accepted alert; if publishing fails the re-delivery keys are
 * forgotten so that the sender's retry is accepted rather than counted as a duplicate.
 */
export class IngestService {
  private readonly redeliveries: RedeliveryFilter;

  constructor(
    private readonly publisher: AlertPublisher,
    readonly limits: {
      readonly maxBodyBytes: number;
      readonly maxBatchItems: number;
      readonly redeliveryHorizonMs: number;
    },
    private readonly clock: () => number = Date.now,
  ) {
    this.redeliveries = new RedeliveryFilter(limits.redeliveryHorizonMs);
  }

  async ingest(
    items: readonly IngestItem[],
    request: IngestRequest,
  ): Promise<{ readonly results: ItemResult[] }> {
    const batch = admitBatch(items, { ...request, ingestedAt: this.clock() }, this.redeliveries);
    try {
      await this.publisher.publish(batch.accepted, request.traceparent);
    } catch (error) {
      for (const key of batch.admittedKeys) this.redeliveries.forget(key);
      throw error;
    }
    return { results: batch.results };
  }

  get redeliveriesCounted(): number {
    return this.redeliveries.redeliveriesCounted;
  }
}
