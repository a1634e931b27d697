import type { IncidentEvent } from '@soc/contracts';
import { createCorrelator, deterministicIds, type CorrelationConfig } from '@soc/domain';
import type { PartitionCorrelator, PartitionInput } from './correlator-pipeline';

/**
 * One partition's correlator: the pure decider, ticked after every batch. Each tenant's
 * watermark follows its own newest event time (`watermarkOf`), never the partition's, so a
 * tenant that runs ahead closes no other tenant's windows, and a replay of the same alerts
 * closes them at the same points. Idle ticks carry the shell's wall clock as `arrivalTime`:
 * only tenants none of whose alerts arrived for their idle timeout move, and what such a tick
 * closes is recorded in its events, so recovery rebuilds the same watermark.
 */
export function createPartitionCorrelator(config: CorrelationConfig): PartitionCorrelator {
  const correlator = createCorrelator(config, deterministicIds());
  return {
    replay(events: readonly IncidentEvent[]) {
      correlator.replay(events);
    },
    correlate(inputs: readonly PartitionInput[]) {
      const events: IncidentEvent[] = [];
      for (const input of inputs) for (const event of correlator.push(input)) events.push(event);
      // The batch's commit point, as in correlateBatch.
      for (const event of correlator.push({ kind: 'tick' })) events.push(event);
      return events;
    },
    idle: (arrivalTime) => correlator.push({ kind: 'tick', arrivalTime }),
  };
}
