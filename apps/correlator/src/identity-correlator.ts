import type { CanonicalAlert, IncidentOpened } from '@soc/contracts';
import { CORRELATION_ACTORS, summarize } from '@soc/domain';
import type { PartitionCorrelator } from './correlator-pipeline';

/**
 * The correlator's business step as an identity, for the pipeline bench's transport ceiling
 * (SOC_BENCH_IDENTITY_STEPS, libs/config): every alert opens an incident of its own, with no
 * correlation state and no scoring, so the stream around it (decode, micro-batches, Avro,
 * one transaction per batch) is what is measured, at one incident event per alert.
 */
export function createIdentityCorrelator(): PartitionCorrelator {
  return {
    replay: () => undefined,
    correlate: (inputs) =>
      inputs.flatMap((input) => (input.kind === 'alert' ? [openedBy(input.alert)] : [])),
    idle: () => [],
  };
}

function openedBy(alert: CanonicalAlert): IncidentOpened {
  const incidentId = `identity-${alert.alertId}`;
  return {
    eventId: `${incidentId}:1`,
    type: 'IncidentOpened',
    schemaVersion: 1,
    tenantId: alert.tenantId,
    streamId: incidentId,
    sequence: 1,
    partitionKey: alert.tenantId,
    occurredAt: alert.observedAt,
    causationId: alert.alertId,
    actor: CORRELATION_ACTORS.correlation,
    data: {
      incidentId,
      title: alert.title,
      firstAlert: summarize(alert),
      windowMs: 0,
      campaignHorizonMs: 0,
    },
  };
}
