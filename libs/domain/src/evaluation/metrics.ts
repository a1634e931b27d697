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

const pairs = (n: number): number => (n * (n - 1)) / 2;

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
