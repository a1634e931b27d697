import {
  countedAlertIds,
  type CanonicalAlert,
  type IncidentEvent,
  type IncidentVerdictGiven,
} from '@soc/contracts';
import { deterministicIds, offlineCorrelation, type CorrelationConfig } from '../correlation';
import { alertKey, assignmentFold, type IncidentAssignment } from './assignment';
import type { LabeledAlertRef } from './metrics';
import { evaluateAssignment, type EvaluationOptions, type EvaluationReport } from './report';

/** A labeled alert of the replay, and when it happened. */
export interface TimedLabeledAlert extends LabeledAlertRef {
  readonly observedAt: number;
}

export interface FeedbackReplayInput {
  /** The alerts in arrival order. */
  readonly alerts: readonly CanonicalAlert[];
  readonly labeled: readonly TimedLabeledAlert[];
  readonly config: CorrelationConfig;
  readonly tickEveryMs: number;
  /** Verdicts are given for incidents closing within this share of the file's event time. */
  readonly fraction: number;
  readonly evaluation: EvaluationOptions;
}

export interface FeedbackReplayReport {
  readonly fraction: number;
  /** Event time before which closing incidents get their verdict; the rest is evaluated. */
  readonly cutoff: number;
  /** Verdicts fed back: incidents holding an attack alert (tp) and the others (fp). */
  readonly verdicts: { readonly truePositive: number; readonly falsePositive: number };
  /** Alerts at or after the cutoff, the ones both reports count. */
  readonly evaluatedAlerts: number;
  readonly withoutFeedback: EvaluationReport;
  readonly withFeedback: EvaluationReport;
}

/** The analyst of the replay: every verdict comes from the labels. */
const LABELS_ANALYST = 'analyst:labels';

/** Which incidents hold an attack alert, followed through the incident events. */
class IncidentLabels {
  private readonly attack = new Set<string>();

  constructor(private readonly attackAlerts: ReadonlySet<string>) {}

  add(event: IncidentEvent): void {
    const key = (incidentId: string): string => alertKey(event.tenantId, incidentId);
    const mark = (incidentId: string, alertId: string): void => {
      if (this.attackAlerts.has(alertKey(event.tenantId, alertId)))
        this.attack.add(key(incidentId));
    };
    if (event.type === 'IncidentOpened') mark(event.data.incidentId, event.data.firstAlert.alertId);
    else if (event.type === 'AlertAttached') mark(event.data.incidentId, event.data.alert.alertId);
    else if (event.type === 'AlertRepeatsCounted' || event.type === 'IncidentRepeatsCounted')
      for (const alertId of countedAlertIds(event.data)) mark(event.data.incidentId, alertId);
    else if (
      event.type === 'IncidentsMerged' &&
      this.attack.has(key(event.data.absorbedIncidentId))
    )
      this.attack.add(key(event.data.incidentId));
  }

  holdsAttack(tenantId: string, incidentId: string): boolean {
    return this.attack.has(alertKey(tenantId, incidentId));
  }
}

function verdictEvent(closed: IncidentEvent, attack: boolean): IncidentVerdictGiven {
  const incidentId = closed.streamId;
  return {
    eventId: `labels:${closed.tenantId}:${incidentId}`,
    type: 'IncidentVerdictGiven',
    schemaVersion: 1,
    tenantId: closed.tenantId,
    streamId: incidentId,
    sequence: 1,
    partitionKey: closed.tenantId,
    occurredAt: closed.occurredAt,
    causationId: closed.eventId,
    actor: LABELS_ANALYST,
    data: { incidentId, verdict: attack ? 'true_positive' : 'false_positive', notes: null },
  };
}

interface Run {
  readonly assignment: IncidentAssignment;
  readonly verdicts: { truePositive: number; falsePositive: number };
}

/** One offline replay; with a cutoff, each incident closing before it gets its label as verdict. */
function replay(input: FeedbackReplayInput, cutoff: number | null): Run {
  const run = offlineCorrelation(input.config, deterministicIds(), {
    tickEveryMs: input.tickEveryMs,
  });
  const fold = assignmentFold();
  const attackAlerts = new Set(
    input.labeled
      .filter((alert) => alert.label.verdict === 'tp')
      .map((alert) => alertKey(alert.tenantId, alert.alertId)),
  );
  const labels = new IncidentLabels(attackAlerts);
  const verdicts = { truePositive: 0, falsePositive: 0 };
  const take = (events: readonly IncidentEvent[]): void => {
    for (const event of events) {
      fold.add(event);
      labels.add(event);
      const closes =
        event.type === 'IncidentClosed' &&
        event.data.reason !== 'merged' &&
        cutoff !== null &&
        event.occurredAt < cutoff;
      if (!closes) continue;
      const attack = labels.holdsAttack(event.tenantId, event.streamId);
      if (attack) verdicts.truePositive += 1;
      else verdicts.falsePositive += 1;
      take(run.feedback(verdictEvent(event, attack)));
    }
  };
  for (const alert of input.alerts) take(run.push(alert));
  take(run.finish());
  return { assignment: fold.result(), verdicts };
}

/**
 * `soc evaluate --feedback-from-labels FRACTION`: the same alerts replayed twice, as they are
 * and with an analyst who closes every incident that closes within the first FRACTION of the
 * file's event time with its label (`true_positive` when it holds an attack alert, else
 * `false_positive`), and both evaluated over the alerts from that point on.
 */
export function feedbackReplay(input: FeedbackReplayInput): FeedbackReplayReport {
  let first = Infinity;
  let last = -Infinity;
  for (const alert of input.labeled) {
    if (alert.observedAt < first) first = alert.observedAt;
    if (alert.observedAt > last) last = alert.observedAt;
  }
  const cutoff = first === Infinity ? 0 : first + input.fraction * (last - first);
  const rest = input.labeled.filter((alert) => alert.observedAt >= cutoff);
  const without = replay(input, null);
  const taught = replay(input, cutoff);
  return {
    fraction: input.fraction,
    cutoff,
    verdicts: taught.verdicts,
    evaluatedAlerts: rest.length,
    withoutFeedback: evaluateAssignment(rest, without.assignment, input.evaluation),
    withFeedback: evaluateAssignment(rest, taught.assignment, input.evaluation),
  };
}
