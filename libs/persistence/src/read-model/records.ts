import type {
  EntityTouch,
  HourlyStatsDelta,
  IncidentAlertRow,
  IncidentView,
  TenantConfigVersion,
  TimelineEntry,
} from '@soc/domain';
import type { StreamPosition } from './tables';

/** Everything one batch writes, already folded: at most one view per incident. */
export interface ReadModelChanges {
  readonly incidents: readonly IncidentView[];
  readonly alerts: readonly IncidentAlertRow[];
  readonly timeline: readonly TimelineEntry[];
  readonly entityTouches: readonly EntityTouch[];
  readonly stats: readonly HourlyStatsDelta[];
  /** New last sequences of streams without an incident row (one entry per stream). */
  readonly streamPositions: readonly StreamPosition[];
  /** Tenant configuration versions the correlator took in (TenantPolicyApplied). */
  readonly configHistory: readonly TenantConfigVersion[];
}

export interface IncidentKey {
  readonly tenantId: string;
  readonly incidentId: string;
}

export const incidentKey = ({ tenantId, incidentId }: IncidentKey): string =>
  `${tenantId}\u0000${incidentId}`;

/** A story of one tenant: a campaign id, or the id of an incident that is a story of its own. */
export interface StoryKey {
  readonly tenantId: string;
  readonly storyId: string;
}

export const storyKey = ({ tenantId, storyId }: StoryKey): string => `${tenantId}\u0000${storyId}`;
