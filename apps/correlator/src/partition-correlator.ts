import type { IncidentEvent } from '@soc/contracts';
import { createCorrelator, deterministicIds, type CorrelationConfig } from '@soc/domain';
import type { PartitionCorrelator, PartitionInput } from './correlator-pipeline';

/**
 * One partition's correlator: the pure decider plus the partition's newest event time, from
 * which each tenant's watermark follows by its own allowed lateness (`watermarkOf`), so
 * windows close on event time only and a replay of the same alerts closes them at the same
 * points.
 */
export function createPartitionCorrelator(config: CorrelationConfig): PartitionCorrelator {
  const correlator = createCorrelator(config, deterministicIds());
  let newestEventTime = -Infinity;
  return {
    replay(events: readonly IncidentEvent[]) {
      correlator.replay(events);
      for (const event of events)
        if (event.occurredAt > newestEventTime) newestEventTime = event.occurredAt;
    },
    correlate(inputs: readonly PartitionInput[]) {
      const events: IncidentEvent[] = [];
      for (const input of inputs) {
        if (input.kind === 'alert' && input.alert.observedAt > newestEventTime)
          newestEventTime = input.alert.observedAt;
        for (const event of correlator.push(input)) events.push(event);
      }
      // The batch's commit point, as in correlateBatch.
      for (const event of correlator.push({ kind: 'tick', newestEventTime })) events.push(event);
      return events;
    },
  };
}
