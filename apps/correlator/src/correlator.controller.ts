import { Controller, Inject, UseFilters, type Type } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { concatMap, defer, type Observable } from 'rxjs';
import {
  PartitionContext,
  RethrowToTransport,
  type PartitionBatch,
  type PartitionTransaction,
} from '@soc/kafka';
import { correlationStream, type MicroBatching } from './correlation-stream';
import type { CorrelatorTopics } from './correlator.config';
import { CorrelatorPipeline } from './correlator-pipeline';

export const MICRO_BATCHING = Symbol('MicroBatching');

/**
 * The correlator's handler, on the configured alerts topic (a class per topic name, since a
 * decorator's pattern is fixed when the class is declared).
 */
export function correlatorController(topics: CorrelatorTopics): Type<unknown> {
  @Controller()
  @UseFilters(new RethrowToTransport())
  class CorrelatorController {
    constructor(
      @Inject(CorrelatorPipeline) private readonly pipeline: CorrelatorPipeline,
      @Inject(MICRO_BATCHING) private readonly batching: MicroBatching,
    ) {}

    /** A partition's alerts: recover its state from the incident log, then correlate. */
    @EventPattern(topics.alerts)
    correlate(
      @Payload() batches: Observable<PartitionBatch>,
      @Ctx() context: PartitionContext,
    ): Observable<PartitionTransaction> {
      const { partition } = context;
      return defer(() => this.pipeline.recover(partition)).pipe(
        concatMap((correlator) =>
          batches.pipe(
            correlationStream(
              {
                decode: (batch) => this.pipeline.decode(batch),
                correlate: (records) => this.pipeline.transaction(partition, correlator, records),
                idle: (arrivalTime) =>
                  this.pipeline.idleTransaction(partition, correlator, arrivalTime),
              },
              this.batching,
            ),
          ),
        ),
      );
    }
  }
  return CorrelatorController;
}
