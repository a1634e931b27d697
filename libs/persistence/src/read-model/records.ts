import type {
  AlertEntity,
  AlertSummary,
  AnalystVerdict,
  EntityType,
  EpochMs,
  IncidentStatus,
  ScoreExplanation,
} from '@soc/contracts';

/**
 * What the store reads and writes, in the shapes of the pure projection (libs/domain
 * read-model). Declared here because infrastructure libs do not import the domain; the
 * projector checks at compile time that the domain's types fit these.
 */
export interface IncidentRecord {
  readonly tenantId: string;
  readonly incidentId: string;
  readonly opened: boolean;
  readonly title: string;
  readonly priority: number | null;
  readonly explanation: ScoreExplanation | null;
  readonly alertCount: number;
  readonly repeatCounts: Readonly<Record<string, number>>;
  readonly distinctRules: number;
  readonly rules: readonly string[];
  readonly tactics: readonly string[];
  readonly entities: readonly {
    readonly type: EntityType;
    readonly value: string;
    readonly role: AlertEntity['role'];
  }[];
  readonly firstSeen: EpochMs | null;
  readonly lastSeen: EpochMs | null;
  readonly openedAt: EpochMs | null;
  readonly maxSeverity: number;
  readonly campaignId: string | null;
  readonly mergedInto: string | null;
  readonly absorbedIncidentIds: readonly string[];
  readonly escalated: boolean;
  readonly correlationClosedReason: 'window-expired' | 'max-span-reached' | 'merged' | null;
  readonly lastIncidentSeq: number;
  readonly analystStatus: IncidentStatus;
  readonly assignee: string | null;
  readonly verdict: AnalystVerdict | null;
  readonly verdictNotes: string | null;
  readonly analystPriority: number | null;
  readonly acknowledgedAt: EpochMs | null;
  readonly closedAt: EpochMs | null;
  readonly lastFeedbackSeq: number;
  readonly status: IncidentStatus;
  readonly updatedAt: EpochMs;
}

export interface IncidentAlertRecord {
  readonly tenantId: string;
  readonly incidentId: string;
  readonly alert: AlertSummary;
  readonly via: 'opened' | 'attached' | 'late' | 'suppressed';
  readonly linkedBy: readonly AlertEntity[];
  readonly attachedAt: EpochMs;
  readonly eventId: string;
}

export interface TimelineRecord {
  readonly tenantId: string;
  readonly incidentId: string;
  readonly eventId: string;
  readonly stream: 'incident' | 'feedback';
  readonly sequence: number;
  readonly type: string;
  readonly occurredAt: EpochMs;
  readonly actor: string;
  readonly causationId: string;
  readonly summary: string;
  readonly details: Readonly<Record<string, unknown>>;
}

export interface EntityTouchRecord {
  readonly tenantId: string;
  readonly incidentId: string;
  readonly type: EntityType;
  readonly value: string;
  readonly seenAt: EpochMs;
}

export interface HourlyStatsRecord {
  readonly tenantId: string;
  readonly hour: EpochMs;
  readonly alertsIn: number;
  readonly incidentsOpened: number;
  readonly escalations: number;
}

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
