import { Controller, Inject, UseFilters, type Type } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { Observable } from 'rxjs';
import { RethrowToTransport, type PartitionBatch, type PartitionTransaction } from '@soc/kafka';
import { RawTopicIngestor } from './raw-topic-ingestor';

/**
 * The raw-topic consumer's handler, on every configured raw topic (a class per list of topic
 * names, since a decorator's patterns are fixed when the class is declared).
 */
export function rawTopicsController(topics: readonly string[]): Type<unknown> {
  @Controller()
  @UseFilters(new RethrowToTransport())
  class RawTopicsController {
    constructor(@Inject(RawTopicIngestor) private readonly ingestor: RawTopicIngestor) {}

    @EventPattern([...topics])
    ingest(@Payload() batches: Observable<PartitionBatch>): Observable<PartitionTransaction> {
      return this.ingestor.partitionStream(batches);
    }
  }
  return RawTopicsController;
}
