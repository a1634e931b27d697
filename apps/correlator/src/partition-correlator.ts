import type { CanonicalAlert, IncidentEvent } from '@soc/contracts';
import { createCorrelator, deterministicIds, type CorrelationConfig } from '@soc/domain';
import type { PartitionCorrelator } from './correlator-pipeline';

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
    correlate(alerts: readonly CanonicalAlert[]) {
      for (const alert of alerts)
        if (alert.observedAt > newestEventTime) newestEventTime = alert.observedAt;
      return correlator.correlateBatch(alerts, { newestEventTime });
    },
  };
}
