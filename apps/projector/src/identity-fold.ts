import type { IncidentAlertRow, ReadModelEvent } from '@soc/domain';
import type { IncidentKey, ReadModelChanges, StoryKey } from '@soc/persistence';

/** What a batch's fold hands to the store: the rows, and what the engine reports. */
export interface FoldedBatch {
  readonly changes: ReadModelChanges;
  readonly incidents: readonly IncidentKey[];
  /** Stories whose members changed: recomputed after the rows are written. */
  readonly stories: readonly StoryKey[];
  readonly applied: readonly ReadModelEvent[];
  readonly duplicates: number;
  readonly gaps: number;
}

const NOTHING: Omit<ReadModelChanges, 'alerts'> = {
  incidents: [],
  timeline: [],
  entityTouches: [],
  stats: [],
  streamPositions: [],
  configHistory: [],
};

/**
 * The projector's business step (the incident view fold) as an identity, for the pipeline
 * bench's transport ceiling (SOC_BENCH_IDENTITY_STEPS, libs/config): no incident rows are
 * loaded, locked or folded; each event that carries an alert (the identity correlator's
 * IncidentOpened) becomes one `incident_alerts` row, written by the same store in the same
 * transaction as the checkpoint.
 */
export function identityFold(events: readonly ReadModelEvent[]): FoldedBatch {
  const alerts: IncidentAlertRow[] = [];
  for (const event of events) {
    if (event.type !== 'IncidentOpened') continue;
    alerts.push({
      tenantId: event.tenantId,
      incidentId: event.data.incidentId,
      alert: event.data.firstAlert,
      via: 'opened',
      linkedBy: [],
      attachedAt: event.occurredAt,
      eventId: event.eventId,
    });
  }
  return {
    changes: { ...NOTHING, alerts },
    incidents: [],
    stories: [],
    applied: events,
    duplicates: 0,
    gaps: 0,
  };
}
