import type { EventEnvelope } from './envelope';
import type { ListsEvery } from './lists';

/**
 * Analyst actions on `soc.feedback.v1`, produced by the query API. The stream id is the
 * incident id; the sequence is the API's own per-incident counter, separate from the
 * correlator's. The projector folds both streams into the read model; the correlator learns
 * from verdicts, corrected priorities and closes (FeedbackApplied in the incident log). Feedback on
 * an alert whose incident is not projected yet goes on the stream `alert:<alert id>`.
 */
export const INCIDENT_STATUSES = ['open', 'acknowledged', 'in_progress', 'closed'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];
export const ANALYST_VERDICTS = ['true_positive', 'benign_positive', 'false_positive'] as const;
export type AnalystVerdict = (typeof ANALYST_VERDICTS)[number];

export interface IncidentAcknowledgedData {
  readonly incidentId: string;
}
export interface IncidentAssignedData {
  readonly incidentId: string;
  readonly assignee: string;
}
export interface IncidentStatusChangedData {
  readonly incidentId: string;
  readonly status: IncidentStatus;
  readonly notes: string | null;
}
export interface IncidentVerdictGivenData {
  readonly incidentId: string;
  readonly verdict: AnalystVerdict;
  readonly notes: string | null;
}
export interface PriorityFeedbackGivenData {
  readonly incidentId: string | null;
  readonly alertId: string | null;
  readonly correctPriority: number;
  readonly analystNotes: string | null;
}

export type IncidentAcknowledged = EventEnvelope<'IncidentAcknowledged', IncidentAcknowledgedData>;
export type IncidentAssigned = EventEnvelope<'IncidentAssigned', IncidentAssignedData>;
export type IncidentStatusChanged = EventEnvelope<
  'IncidentStatusChanged',
  IncidentStatusChangedData
>;
export type IncidentVerdictGiven = EventEnvelope<'IncidentVerdictGiven', IncidentVerdictGivenData>;
export type PriorityFeedbackGiven = EventEnvelope<
  'PriorityFeedbackGiven',
  PriorityFeedbackGivenData
>;

export type FeedbackEvent =
  | IncidentAcknowledged
  | IncidentAssigned
  | IncidentStatusChanged
  | IncidentVerdictGiven
  | PriorityFeedbackGiven;

export type FeedbackEventType = FeedbackEvent['type'];

export const FEEDBACK_EVENT_TYPES = [
  'IncidentAcknowledged',
  'IncidentAssigned',
  'IncidentStatusChanged',
  'IncidentVerdictGiven',
  'PriorityFeedbackGiven',
] as const satisfies readonly FeedbackEventType[];
const _everyFeedbackType: ListsEvery<FeedbackEventType, typeof FEEDBACK_EVENT_TYPES> = true;
