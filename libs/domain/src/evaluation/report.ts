import type { IncidentEvent } from '@soc/contracts';
import { analystView, storiesOf, type AnalystView, type QueueItem } from './analyst-view';
import { alertKey, assignAlerts, type IncidentAssignment } from './assignment';
import {
  compareClusterings,
  precisionAt,
  rocAuc,
  type GroupingMetrics,
  type LabeledAlertRef,
  type RankingMetrics,
} from './metrics';

export interface EvaluationReport {
  readonly alerts: number;
  readonly incidents: number;
  /** Alerts per incident: how many alerts an analyst no longer triages one by one. */
  readonly reductionRatio: number | null;
  /** 1 - incidents / alerts. */
  readonly reduction: number | null;
  readonly suppressedAlerts: number;
  /** Labeled alerts that no incident event mentions (counted as singletons). */
  readonly unassignedAlerts: number;
  readonly grouping: GroupingMetrics;
  readonly ranking: RankingMetrics;
  /** The queue as an analyst sees it, of incidents and of stories (incidents joined by campaigns). */
  readonly analyst: { readonly incidents: AnalystView; readonly stories: AnalystView };
}

export interface EvaluationOptions {
  readonly precisionAtK?: readonly number[];
  /** HIGH_PRIORITY_THRESHOLD, or null when the priorities are on another scale. */
  readonly highPriorityThreshold?: number | null;
}

interface Members {
  tp: number;
  total: number;
}

/**
 * Grouping and ranking quality of an incident event log against labeled alerts. Predicted
 * groups are final incidents (after merges); suppressed or unmentioned alerts are singletons.
 * True groups are `label.group` per tenant; a null group is a singleton. For `ranking` an
 * incident is positive when more than half of its labeled alerts have verdict `tp`, ranked by
 * its last IncidentScored priority (ties broken by incident id); the analyst's view calls an
 * incident or story an attack item when it holds any `tp` alert.
 */
export function evaluateCorrelation(
  alerts: readonly LabeledAlertRef[],
  events: Iterable<IncidentEvent>,
  options: EvaluationOptions = {},
): EvaluationReport {
  return evaluateAssignment(alerts, assignAlerts(events), options);
}

/** `evaluateCorrelation` of an assignment already folded (a long log, or the rarity reference). */
export function evaluateAssignment(
  alerts: readonly LabeledAlertRef[],
  assignment: IncidentAssignment,
  { precisionAtK = [10, 50, 100], highPriorityThreshold = 80 }: EvaluationOptions = {},
): EvaluationReport {
  const predicted: string[] = [];
  const gold: string[] = [];
  const members = new Map<string, Members>();
  let suppressedAlerts = 0;
  let unassignedAlerts = 0;
  alerts.forEach((labeled, index) => {
    const key = alertKey(labeled.tenantId, labeled.alertId);
    const incident = assignment.incidentOf.get(key);
    if (incident === undefined) {
      if (assignment.suppressed.has(key)) suppressedAlerts += 1;
      else unassignedAlerts += 1;
      predicted.push(`single\u0000${index}`);
    } else {
      predicted.push(`incident\u0000${incident}`);
      const tally = members.get(incident) ?? { tp: 0, total: 0 };
      tally.total += 1;
      if (labeled.label.verdict === 'tp') tally.tp += 1;
      members.set(incident, tally);
    }
    gold.push(
      labeled.label.group === null
        ? `single\u0000${index}`
        : `group\u0000${labeled.tenantId}\u0000${labeled.label.group}`,
    );
  });

  const incidents = members.size;
  return {
    alerts: alerts.length,
    incidents,
    reductionRatio: incidents === 0 ? null : alerts.length / incidents,
    reduction: alerts.length === 0 ? null : 1 - incidents / alerts.length,
    suppressedAlerts,
    unassignedAlerts,
    grouping: compareClusterings(predicted, gold),
    ranking: rankingOf(members, assignment, precisionAtK),
    analyst: analystViews(members, assignment, highPriorityThreshold),
  };
}

function rankingOf(
  members: ReadonlyMap<string, Members>,
  assignment: IncidentAssignment,
  precisionAtK: readonly number[],
): RankingMetrics {
  const ranked = [...members]
    .filter(([incident]) => assignment.priorities.has(incident))
    .map(([incident, tally]) => ({
      incident,
      score: assignment.priorities.get(incident) as number,
      positive: tally.tp * 2 > tally.total,
    }))
    .sort(
      (a, b) =>
        b.score - a.score || (a.incident < b.incident ? -1 : a.incident > b.incident ? 1 : 0),
    );
  const positives = ranked.filter((item) => item.positive).length;
  return {
    positives,
    negatives: ranked.length - positives,
    rocAuc: rocAuc(ranked),
    precisionAtK: Object.fromEntries(precisionAtK.map((k) => [String(k), precisionAt(ranked, k)])),
  };
}

function analystViews(
  members: ReadonlyMap<string, Members>,
  assignment: IncidentAssignment,
  highPriorityThreshold: number | null,
): EvaluationReport['analyst'] {
  const items: QueueItem[] = [];
  for (const [id, tally] of members) {
    const priority = assignment.priorities.get(id);
    if (priority !== undefined)
      items.push({ id, priority, alerts: tally.total, attackAlerts: tally.tp });
  }
  const stories = storiesOf(items, (id) => assignment.storyOf.get(id) ?? id);
  return {
    incidents: analystView(items, { highPriorityThreshold }),
    stories: analystView(stories, { highPriorityThreshold }),
  };
}
