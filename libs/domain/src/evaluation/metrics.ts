import type { IncidentEvent } from '@soc/contracts';

/** The ground truth of one alert, as the labeled set gives it. */
export interface LabeledAlertRef {
  readonly tenantId: string;
  readonly alertId: string;
  readonly label: {
    /** The activity the alert belongs to; null for lone noise (a singleton group). */
    readonly group: string | null;
    readonly verdict: 'tp' | 'fp' | 'benign';
  };
}

export interface GroupingMetrics {
  /** Alert pairs placed in one incident that share a true group, over all pairs placed together. */
  readonly pairwisePrecision: number | null;
  readonly pairwiseRecall: number | null;
  readonly pairwiseF1: number | null;
  /** Adjusted Rand index: 1 identical, about 0 random, negative worse than random. */
  readonly adjustedRandIndex: number;
  readonly truePairs: number;
  readonly predictedPairs: number;
  readonly goldPairs: number;
}

export interface RankingMetrics {
  /** Incidents where more than half of the alerts are true positives. */
  readonly positives: number;
  readonly negatives: number;
  /** Probability that a random positive incident outranks a random negative one (ties count half). */
  readonly rocAuc: number | null;
  /** Share of positives among the k highest-priority incidents (fewer when there are fewer). */
  readonly precisionAtK: Readonly<Record<string, number | null>>;
}

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
}

const alertKey = (tenantId: string, alertId: string): string => `${tenantId}\u0000${alertId}`;
const pairs = (n: number): number => (n * (n - 1)) / 2;

/** Where each alert ended up: incident ids after following merges to the survivor. */
export interface IncidentAssignment {
  readonly incidentOf: ReadonlyMap<string, string>;
  readonly suppressed: ReadonlySet<string>;
  /** The last priority scored for each surviving incident. */
  readonly priorities: ReadonlyMap<string, number>;
}

/** Reads the alert -> incident assignment and final priorities from an incident event log. */
export function assignAlerts(events: Iterable<IncidentEvent>): IncidentAssignment {
  const assigned = new Map<string, string>();
  const suppressed = new Set<string>();
  const mergedInto = new Map<string, string>();
  const lastPriority = new Map<string, number>();
  for (const event of events) {
    const incidentKey = alertKey(event.tenantId, event.streamId);
    switch (event.type) {
      case 'IncidentOpened':
        assigned.set(
          alertKey(event.tenantId, event.data.firstAlert.alertId),
          event.data.incidentId,
        );
        break;
      case 'AlertAttached':
        assigned.set(alertKey(event.tenantId, event.data.alert.alertId), event.data.incidentId);
        break;
      case 'AlertRepeatsCounted':
        for (const alertId of event.data.alertIds)
          assigned.set(alertKey(event.tenantId, alertId), event.data.incidentId);
        break;
      case 'LateAlertHandled':
        // A late alert recorded on a closed incident belongs to it; the other outcomes also
        // arrive as IncidentOpened / AlertAttached.
        if (event.data.outcome === 'dropped-window-closed' && event.data.incidentId !== null) {
          assigned.set(alertKey(event.tenantId, event.data.alert.alertId), event.data.incidentId);
        }
        break;
      case 'AlertSuppressed':
        suppressed.add(alertKey(event.tenantId, event.data.alert.alertId));
        break;
      case 'IncidentMergedInto':
        mergedInto.set(incidentKey, event.data.survivorIncidentId);
        break;
      case 'IncidentScored':
        lastPriority.set(incidentKey, event.data.priority);
        break;
      default:
        break;
    }
  }
  const survivorOf = (tenantId: string, incidentId: string): string => {
    let id = incidentId;
    for (
      let next = mergedInto.get(alertKey(tenantId, id));
      next !== undefined;
      next = mergedInto.get(alertKey(tenantId, id))
    ) {
      id = next;
    }
    return id;
  };
  const incidentOf = new Map<string, string>();
  const priorities = new Map<string, number>();
  for (const [key, incidentId] of assigned) {
    const tenantId = key.slice(0, key.indexOf('\u0000'));
    const survivor = survivorOf(tenantId, incidentId);
    const survivorKey = alertKey(tenantId, survivor);
    incidentOf.set(key, survivorKey);
    const priority = lastPriority.get(survivorKey);
    if (priority !== undefined) priorities.set(survivorKey, priority);
  }
  return { incidentOf, suppressed, priorities };
}

/**
 * Pairwise precision / recall / F1 and the adjusted Rand index of a predicted clustering
 * against the true one, from their contingency table (so pairs are counted, not listed).
 * `predicted[i]` and `gold[i]` are the cluster labels of item i.
 */
export function compareClusterings(
  predicted: readonly string[],
  gold: readonly string[],
): GroupingMetrics {
  if (predicted.length !== gold.length) throw new Error('clusterings of different lengths');
  const cells = new Map<string, number>();
  const predictedSizes = new Map<string, number>();
  const goldSizes = new Map<string, number>();
  for (let i = 0; i < predicted.length; i += 1) {
    const p = predicted[i] as string;
    const g = gold[i] as string;
    const cell = `${p}\u0000${g}`;
    cells.set(cell, (cells.get(cell) ?? 0) + 1);
    predictedSizes.set(p, (predictedSizes.get(p) ?? 0) + 1);
    goldSizes.set(g, (goldSizes.get(g) ?? 0) + 1);
  }
  let truePairs = 0;
  for (const count of cells.values()) truePairs += pairs(count);
  let predictedPairs = 0;
  for (const size of predictedSizes.values()) predictedPairs += pairs(size);
  let goldPairs = 0;
  for (const size of goldSizes.values()) goldPairs += pairs(size);

  const precision = predictedPairs === 0 ? null : truePairs / predictedPairs;
  const recall = goldPairs === 0 ? null : truePairs / goldPairs;
  const f1 =
    precision === null || recall === null
      ? null
      : precision + recall === 0
        ? 0
        : (2 * precision * recall) / (precision + recall);

  const total = pairs(predicted.length);
  const expected = total === 0 ? 0 : (predictedPairs * goldPairs) / total;
  const maximum = (predictedPairs + goldPairs) / 2;
  // Both clusterings trivial and identical (all singletons, or one cluster): full agreement.
  const ari = maximum - expected === 0 ? 1 : (truePairs - expected) / (maximum - expected);
  return {
    pairwisePrecision: precision,
    pairwiseRecall: recall,
    pairwiseF1: f1,
    adjustedRandIndex: ari,
    truePairs,
    predictedPairs,
    goldPairs,
  };
}

/** ROC AUC by the rank-sum (Mann-Whitney) statistic, ties getting their average rank. */
export function rocAuc(
  scored: readonly { readonly score: number; readonly positive: boolean }[],
): number | null {
  const positives = scored.filter((item) => item.positive).length;
  const negatives = scored.length - positives;
  if (positives === 0 || negatives === 0) return null;
  const sorted = [...scored].sort((a, b) => a.score - b.score);
  let rankSum = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (
      j + 1 < sorted.length &&
      (sorted[j + 1] as (typeof sorted)[number]).score ===
        (sorted[i] as (typeof sorted)[number]).score
    )
      j += 1;
    const averageRank = (i + j + 2) / 2;
    for (let k = i; k <= j; k += 1)
      if ((sorted[k] as (typeof sorted)[number]).positive) rankSum += averageRank;
    i = j + 1;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Share of positives among the first k of an already ranked list; null when it is empty. */
export function precisionAt(
  ranked: readonly { readonly positive: boolean }[],
  k: number,
): number | null {
  const top = ranked.slice(0, Math.min(k, ranked.length));
  if (top.length === 0) return null;
  return top.filter((item) => item.positive).length / top.length;
}

export interface EvaluationOptions {
  readonly precisionAtK?: readonly number[];
}

/**
 * Grouping and ranking quality of an incident event log against labeled alerts. Predicted
 * groups are final incidents (after merges); suppressed or unmentioned alerts are singletons.
 * True groups are `label.group` per tenant; a null group is a singleton. An incident is
 * positive when more than half of its labeled alerts have verdict `tp`, and it is ranked by
 * its last IncidentScored priority (ties broken by incident id).
 */
export function evaluateCorrelation(
  alerts: readonly LabeledAlertRef[],
  events: Iterable<IncidentEvent>,
  { precisionAtK = [10, 50, 100] }: EvaluationOptions = {},
): EvaluationReport {
  const assignment = assignAlerts(events);
  const predicted: string[] = [];
  const gold: string[] = [];
  const members = new Map<string, { tp: number; total: number }>();
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
  const incidents = members.size;
  return {
    alerts: alerts.length,
    incidents,
    reductionRatio: incidents === 0 ? null : alerts.length / incidents,
    reduction: alerts.length === 0 ? null : 1 - incidents / alerts.length,
    suppressedAlerts,
    unassignedAlerts,
    grouping: compareClusterings(predicted, gold),
    ranking: {
      positives,
      negatives: ranked.length - positives,
      rocAuc: rocAuc(ranked),
      precisionAtK: Object.fromEntries(
        precisionAtK.map((k) => [String(k), precisionAt(ranked, k)]),
      ),
    },
  };
}
