import type { FeedbackEvent, IncidentEvent, RepeatSeriesCount } from '@soc/contracts';
import type { EvolveContext, ReadModelEvent } from './evolve-incident-view';
import {
  absorb,
  addAlert,
  addEntities,
  addRule,
  addTactic,
  alertInStats,
  alertRef,
  alertRow,
  entityRefs,
  linkedSuffix,
  maxTime,
  ruleSuffix,
  stat,
  type Draft,
} from './view-draft';

type EventOf<T extends ReadModelEvent['type']> = Extract<
  IncidentEvent | FeedbackEvent,
  { type: T }
>;
type Handler<T extends ReadModelEvent['type']> = (
  draft: Draft,
  event: EventOf<T>,
  context: EvolveContext,
) => void;

function applyOpened(draft: Draft, event: EventOf<'IncidentOpened'>): void {
  const v = draft.view;
  const { title, firstAlert, windowMs } = event.data;
  v.opened = true;
  v.title = title;
  v.openedAt = event.occurredAt;
  addAlert(draft, firstAlert, 'opened', [], event.eventId, event.occurredAt);
  draft.stats.push(stat(event.tenantId, event.occurredAt, { incidentsOpened: 1 }));
  draft.summary = `Incident opened: ${title}`;
  draft.details = { ...alertRef(firstAlert), windowMs };
}

function applyAttached(draft: Draft, event: EventOf<'AlertAttached'>): void {
  const { alert, linkedBy } = event.data;
  addAlert(draft, alert, 'attached', linkedBy, event.eventId, event.occurredAt);
  draft.summary = `Alert attached: ${alert.title}${ruleSuffix(alert)}${linkedSuffix(linkedBy)}`;
  draft.details = { ...alertRef(alert), linkedBy: entityRefs(linkedBy) };
}

/** Folds one series' counter into the view and the hourly stats. */
function countSeries(draft: Draft, tenantId: string, count: RepeatSeriesCount): void {
  const v = draft.view;
  const { repeatKey, ruleId, lastObservedAt, totalRepeats } = count;
  const previous = v.repeatCounts[repeatKey] ?? 0;
  const added = Math.max(0, totalRepeats - previous);
  v.repeatCounts = { ...v.repeatCounts, [repeatKey]: Math.max(previous, totalRepeats) };
  v.alertCount += added;
  if (ruleId !== null) addRule(v, ruleId);
  v.lastSeen = maxTime(v.lastSeen, lastObservedAt);
  // The repeats folded since the previous counter event, each in the hour it was seen.
  const times =
    count.observedAts.length === added
      ? count.observedAts
      : Array<number>(added).fill(lastObservedAt);
  for (const time of times) draft.stats.push(stat(tenantId, time, { alertsIn: 1 }));
}

const seriesSummary = ({ totalRepeats, ruleId, routine }: RepeatSeriesCount): string =>
  `${totalRepeats} repeats of ${ruleId === null ? 'one rule' : `rule ${ruleId}`}` +
  (routine ? ' (routine rhythm)' : '');

const seriesDetails = (count: RepeatSeriesCount): Record<string, unknown> => ({
  repeatKey: count.repeatKey,
  ruleId: count.ruleId,
  alertIds: [...count.alertIds],
  lastObservedAt: count.lastObservedAt,
  totalRepeats: count.totalRepeats,
  routine: count.routine,
});

function applyRepeatsCounted(draft: Draft, event: EventOf<'AlertRepeatsCounted'>): void {
  countSeries(draft, event.tenantId, event.data);
  draft.summary = seriesSummary(event.data);
  draft.details = seriesDetails(event.data);
}

/** One timeline entry for all the series counted at one flush. */
function applyIncidentRepeatsCounted(draft: Draft, event: EventOf<'IncidentRepeatsCounted'>): void {
  const { series } = event.data;
  for (const count of series) countSeries(draft, event.tenantId, count);
  draft.summary = series.map(seriesSummary).join('; ');
  draft.details = { series: series.map(seriesDetails) };
}

function applySuppressed(draft: Draft, event: EventOf<'AlertSuppressed'>): void {
  const v = draft.view;
  const { alert, suppressionRuleId, reason } = event.data;
  draft.alerts.push(alertRow(v, alert, 'suppressed', [], event.eventId, event.occurredAt));
  draft.stats.push(...alertInStats(event));
  draft.summary = `Alert suppressed by ${suppressionRuleId}: ${reason}`;
  draft.details = { ...alertRef(alert), suppressionRuleId, reason };
}

function applyLate(draft: Draft, event: EventOf<'LateAlertHandled'>): void {
  // An explanation, not a carrier: an alert that was attached or opened an incident also
  // arrives as AlertAttached / IncidentOpened, which count it. Dropped ones count here.
  const { alert, watermark, outcome, reason } = event.data;
  draft.stats.push(...alertInStats(event));
  draft.summary = `Late alert ${outcome.replace(/-/g, ' ')}: ${reason}`;
  draft.details = { ...alertRef(alert), watermark, outcome, reason };
}

function applyMerged(
  draft: Draft,
  event: EventOf<'IncidentsMerged'>,
  context: EvolveContext,
): void {
  const v = draft.view;
  const { absorbedIncidentId, bridgingAlertId, sharedEntities } = event.data;
  if (!v.absorbedIncidentIds.includes(absorbedIncidentId)) {
    v.absorbedIncidentIds = [...v.absorbedIncidentIds, absorbedIncidentId];
    const absorbed = context.lookup?.(absorbedIncidentId);
    if (absorbed) absorb(draft, absorbed, event.occurredAt);
  }
  draft.summary = `Absorbed incident ${absorbedIncidentId} via alert ${bridgingAlertId}`;
  draft.details = {
    absorbedIncidentId,
    bridgingAlertId,
    sharedEntities: entityRefs(sharedEntities),
  };
}

function applyMergedInto(draft: Draft, event: EventOf<'IncidentMergedInto'>): void {
  const v = draft.view;
  v.mergedInto = event.data.survivorIncidentId;
  draft.summary = `Merged into incident ${event.data.survivorIncidentId}`;
  draft.details = { survivorIncidentId: event.data.survivorIncidentId };
}

function applyScored(draft: Draft, event: EventOf<'IncidentScored'>): void {
  const v = draft.view;
  const { priority, previousPriority, explanation, alertCount, distinctRules, tactics, entities } =
    event.data;
  v.priority = priority;
  v.explanation = explanation;
  // The correlator may count what this view never saw (merges, folded repeats); counts
  // only grow, so the larger figure is the better one whatever the order.
  v.alertCount = Math.max(v.alertCount, alertCount);
  for (const tactic of tactics) addTactic(v, tactic);
  addEntities(draft, entities, event.occurredAt);
  v.distinctRules = Math.max(v.distinctRules, distinctRules);
  draft.summary =
    previousPriority === null
      ? `Scored priority ${priority}`
      : `Priority ${previousPriority} → ${priority}`;
  draft.details = {
    priority,
    previousPriority,
    summary: explanation.summary,
    alertCount,
    distinctRules,
  };
}

function applyEscalated(draft: Draft, event: EventOf<'IncidentEscalated'>): void {
  const v = draft.view;
  const { priority, threshold } = event.data;
  if (!v.escalated) draft.stats.push(stat(event.tenantId, event.occurredAt, { escalations: 1 }));
  v.escalated = true;
  draft.summary = `Escalated: priority ${priority} reached threshold ${threshold}`;
  draft.details = { priority, threshold };
}

function applyCampaignLinked(draft: Draft, event: EventOf<'CampaignLinked'>): void {
  const v = draft.view;
  const { campaignId, linkedIncidentIds, reason, accumulatedRisk } = event.data;
  v.campaignId = campaignId;
  draft.summary = `Linked to campaign ${campaignId}: ${reason}`;
  draft.details = {
    campaignId,
    linkedIncidentIds: [...linkedIncidentIds],
    reason,
    accumulatedRisk,
  };
}

function applyClosed(draft: Draft, event: EventOf<'IncidentClosed'>): void {
  const v = draft.view;
  v.correlationClosedReason = event.data.reason;
  draft.summary = `Correlation window closed (${event.data.reason})`;
  draft.details = { reason: event.data.reason };
}

function applyReopened(draft: Draft, event: EventOf<'IncidentReopened'>): void {
  draft.view.correlationClosedReason = null;
  draft.summary = `Reopened: ${event.data.reason}`;
  draft.details = { cause: event.data.cause, alertId: event.data.alertId };
}

/** Never reached: the event is about no incident (`incidentId` null), see evolveIncidentView. */
function applyBudgetExceeded(draft: Draft, event: EventOf<'TenantBudgetExceeded'>): void {
  draft.summary = `Tenant budget ${event.data.budget} reached (${event.data.used} in use)`;
  draft.details = { budget: event.data.budget, used: event.data.used, limits: event.data.limits };
}

/** Never reached: feedback held for an alert no incident holds yet (`incidentId` null). */
function applyFeedbackHeld(draft: Draft, event: EventOf<'FeedbackHeld'>): void {
  const { alertId, analyst, correctPriority } = event.data;
  draft.summary = `Priority ${correctPriority} from ${analyst} held for alert ${alertId}`;
  draft.details = { alertId, analyst, correctPriority };
}

/** Never reached: held feedback given up (`incidentId` null). */
function applyHeldFeedbackExpired(draft: Draft, event: EventOf<'HeldFeedbackExpired'>): void {
  const { alertId, analyst, reason } = event.data;
  draft.summary = `Feedback from ${analyst} held for alert ${alertId} given up (${reason})`;
  draft.details = { alertId, analyst, reason };
}

function applyIntelVerdict(draft: Draft, event: EventOf<'IntelVerdictApplied'>): void {
  const { provider, indicator, kind, verdict, score, evidence, fetchedAt, expiresAt } = event.data;
  draft.summary = `Threat intel from ${provider}: ${verdict} ${indicator} (${evidence})`;
  draft.details = { provider, indicator, kind, verdict, score, evidence, fetchedAt, expiresAt };
}

function applyFeedbackApplied(draft: Draft, event: EventOf<'FeedbackApplied'>): void {
  const { alertId, verdict, correctPriority, notes, analyst } = event.data;
  const said = [
    verdict === null ? null : `verdict ${verdict.replace(/_/g, ' ')}`,
    correctPriority === null ? null : `priority should be ${correctPriority}`,
    alertId === null ? null : `for alert ${alertId}`,
  ].filter((part) => part !== null);
  draft.summary =
    `Learned from ${analyst}` +
    (said.length > 0 ? `: ${said.join(', ')}` : '') +
    (notes ? ` (${notes})` : '');
  draft.details = { analyst, verdict, correctPriority, alertId, notes };
}

function applyFollowedUp(draft: Draft, event: EventOf<'ClosedIncidentFollowedUp'>): void {
  const v = draft.view;
  const { closedIncidentId, alertId, verdict, outcome, reason } = event.data;
  if (outcome === 'reopened') {
    v.analystStatus = 'open';
    v.closedAt = null;
  }
  draft.summary = outcome === 'reopened' ? `Reopened: ${reason}` : `Follow-up: ${reason}`;
  draft.details = { closedIncidentId, alertId, verdict, outcome };
}

function applyAcknowledged(draft: Draft, event: EventOf<'IncidentAcknowledged'>): void {
  const v = draft.view;
  if (v.analystStatus === 'open') v.analystStatus = 'acknowledged';
  v.acknowledgedAt ??= event.occurredAt;
  draft.summary = 'Acknowledged';
}

function applyAssigned(draft: Draft, event: EventOf<'IncidentAssigned'>): void {
  const v = draft.view;
  v.assignee = event.data.assignee;
  draft.summary = `Assigned to ${event.data.assignee}`;
  draft.details = { assignee: event.data.assignee };
}

function applyStatusChanged(draft: Draft, event: EventOf<'IncidentStatusChanged'>): void {
  const v = draft.view;
  const { status, notes } = event.data;
  v.analystStatus = status;
  if (status !== 'open') v.acknowledgedAt ??= event.occurredAt;
  v.closedAt = status === 'closed' ? event.occurredAt : null;
  draft.summary = `Status changed to ${status}${notes ? `: ${notes}` : ''}`;
  draft.details = { status, notes };
}

function applyVerdict(draft: Draft, event: EventOf<'IncidentVerdictGiven'>): void {
  const v = draft.view;
  const { verdict, notes } = event.data;
  v.verdict = verdict;
  v.verdictNotes = notes;
  v.analystStatus = 'closed';
  v.closedAt = event.occurredAt;
  v.acknowledgedAt ??= event.occurredAt;
  draft.summary = `Closed as ${verdict.replace(/_/g, ' ')}${notes ? `: ${notes}` : ''}`;
  draft.details = { verdict, notes };
}

function applyPriorityFeedback(draft: Draft, event: EventOf<'PriorityFeedbackGiven'>): void {
  const v = draft.view;
  const { alertId, correctPriority, analystNotes } = event.data;
  // Feedback on one alert teaches the correlator (FeedbackApplied) but does not re-rank the incident.
  if (alertId === null) v.analystPriority = correctPriority;
  draft.summary =
    `Priority feedback: should be ${correctPriority}` +
    (alertId === null ? '' : ` for alert ${alertId}`) +
    (analystNotes ? ` (${analystNotes})` : '');
  draft.details = { alertId, correctPriority, analystNotes };
}

function applyTenantPolicy(draft: Draft, event: EventOf<'TenantPolicyApplied'>): void {
  const { version, changedBy, reason, problems } = event.data;
  draft.summary =
    `Tenant configuration version ${version} by ${changedBy}: ${reason}` +
    (problems.length > 0 ? ` (not applied: ${problems.join('; ')})` : '');
  draft.details = { version, changedBy, reason, problems: [...problems] };
}

/** One handler per event type: it updates the draft view and writes the timeline entry. */
const HANDLERS: { readonly [T in ReadModelEvent['type']]: Handler<T> } = {
  IncidentOpened: applyOpened,
  AlertAttached: applyAttached,
  AlertRepeatsCounted: applyRepeatsCounted,
  IncidentRepeatsCounted: applyIncidentRepeatsCounted,
  AlertSuppressed: applySuppressed,
  LateAlertHandled: applyLate,
  IncidentsMerged: applyMerged,
  IncidentMergedInto: applyMergedInto,
  IncidentScored: applyScored,
  IncidentEscalated: applyEscalated,
  CampaignLinked: applyCampaignLinked,
  IncidentClosed: applyClosed,
  IncidentReopened: applyReopened,
  IntelVerdictApplied: applyIntelVerdict,
  FeedbackApplied: applyFeedbackApplied,
  ClosedIncidentFollowedUp: applyFollowedUp,
  TenantBudgetExceeded: applyBudgetExceeded,
  TenantPolicyApplied: applyTenantPolicy,
  FeedbackHeld: applyFeedbackHeld,
  HeldFeedbackExpired: applyHeldFeedbackExpired,
  IncidentAcknowledged: applyAcknowledged,
  IncidentAssigned: applyAssigned,
  IncidentStatusChanged: applyStatusChanged,
  IncidentVerdictGiven: applyVerdict,
  PriorityFeedbackGiven: applyPriorityFeedback,
};

export function applyEvent(draft: Draft, event: ReadModelEvent, context: EvolveContext): void {
  (HANDLERS[event.type] as Handler<ReadModelEvent['type']>)(draft, event as never, context);
}
