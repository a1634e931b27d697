import { Controller, Inject, UseFilters, type Type } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { RethrowToTransport } from '@soc/kafka';
import { ProjectionEngine, type BatchOutcome, type PartitionBatchInput } from './projection-engine';

/**
 * The projector's handler, on the configured incident and feedback topics (a class per pair of
 * topic names, since a decorator's patterns are fixed when the class is declared).
 */
export function projectorController(topics: {
  readonly incidentsTopic: string;
  readonly feedbackTopic: string;
}): Type<unknown> {
  @Controller()
  @UseFilters(new RethrowToTransport())
  class ProjectorController {
    constructor(@Inject(ProjectionEngine) private readonly engine: ProjectionEngine) {}

    /** One fetched batch, applied in one database transaction. */
    @EventPattern([topics.incidentsTopic, topics.feedbackTopic])
    project(@Payload() batch: PartitionBatchInput): Promise<BatchOutcome> {
      return this.engine.applyBatch(batch);
    }
  }
  return ProjectorController;
}
