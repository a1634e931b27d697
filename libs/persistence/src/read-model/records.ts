import type {
  EntityTouch,
  HourlyStatsDelta,
  IncidentAlertRow,
  IncidentView,
  TimelineEntry,
} from '@soc/domain';

/**
 * What the store reads and writes: the shapes of the pure projection (libs/domain read-model),
 * under the names the store speaks.
 */
export type IncidentRecord = IncidentView;
export type IncidentAlertRecord = IncidentAlertRow;
export type TimelineRecord = TimelineEntry;
export type EntityTouchRecord = EntityTouch;
export type HourlyStatsRecord = HourlyStatsDelta;

/** Everything one batch writes, already folded: at most one record per incident. */
export interface ReadModelChanges {
  readonly incidents: readonly IncidentRecord[];
  readonly alerts: readonly IncidentAlertRecord[];
  readonly timeline: readonly TimelineRecord[];
  readonly entityTouches: readonly EntityTouchRecord[];
  readonly stats: readonly HourlyStatsRecord[];
  /** New last sequences of streams without an incident row (one entry per stream). */
  readonly streamPositions: readonly {
    readonly tenantId: string;
    readonly streamId: string;
    readonly lastSequence: number;
  }[];
}

export interface IncidentKey {
  readonly tenantId: string;
  readonly incidentId: string;
}

export const incidentKey = ({ tenantId, incidentId }: IncidentKey): string =>
  `${tenantId}\u0000${incidentId}`;
