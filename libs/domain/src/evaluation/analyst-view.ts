import { rocAuc } from './metrics';

/** One item of an analyst's queue (an incident or a story) and what its alerts really were. */
export interface QueueItem {
  readonly id: string;
  readonly priority: number;
  readonly alerts: number;
  /** Alerts labeled as caused by the attack (verdict `tp`). */
  readonly attackAlerts: number;
}

export interface HighQueueView {
  readonly threshold: number;
  /** Items at or above the threshold. */
  readonly size: number;
  readonly attackItems: number;
  readonly noiseItems: number;
  /** Items holding attack alerts that stay below the threshold. */
  readonly missedAttackItems: number;
}

export interface PrioritySpread {
  readonly min: number;
  readonly median: number;
  readonly p90: number;
  readonly max: number;
  readonly distinct: number;
}

/** The queue as an analyst works it: ordered by priority, an item at a time. */
export interface AnalystView {
  readonly items: number;
  /** Items holding at least one attack alert. */
  readonly attackItems: number;
  /**
   * 1-based position of the first item holding attack alerts, with ties broken
   * pessimistically: every noise item of equal priority is read first. Null without one.
   */
  readonly firstAttackRank: number | null;
  /**
   * Size and purity of that first attack item, and its share of all attack alerts: one item
   * swallowing the whole stream would show here (and in the grouping precision).
   */
  readonly firstAttackItem: {
    readonly alerts: number;
    readonly attackAlerts: number;
    readonly shareOfAttackAlerts: number;
  } | null;
  /** Noise alerts that ride along inside attack items. */
  readonly noiseAlertsInAttackItems: number;
  /** Attack items over noise items, ties counted half. */
  readonly rocAuc: number | null;
  /** Null when the priorities are not on the 0-100 scale the threshold belongs to. */
  readonly highQueue: HighQueueView | null;
  /**
   * The same view at the LOWER_THRESHOLDS under the high one (empty off the 0-100 scale): what
   * moves below a high queue that holds only the top story or two.
   */
  readonly lowerQueues: readonly HighQueueView[];
  /**
   * Noise items among the first 20 and 50 of the queue, ties broken pessimistically (noise
   * first): what an analyst reads when the high queue is near empty.
   */
  readonly noiseInTop: { readonly '20': number; readonly '50': number };
  readonly priorities: PrioritySpread | null;
}

function spreadOf(sortedAscending: readonly number[]): PrioritySpread | null {
  const n = sortedAscending.length;
  if (n === 0) return null;
  const at = (q: number): number => sortedAscending[Math.min(n - 1, Math.floor(q * n))] as number;
  return {
    min: sortedAscending[0] as number,
    median: at(0.5),
    p90: at(0.9),
    max: sortedAscending[n - 1] as number,
    distinct: new Set(sortedAscending).size,
  };
}

function highQueueOf(items: readonly QueueItem[], threshold: number): HighQueueView {
  let size = 0;
  let attackItems = 0;
  let missedAttackItems = 0;
  for (const item of items) {
    const high = item.priority >= threshold;
    if (high) size += 1;
    if (item.attackAlerts > 0) {
      if (high) attackItems += 1;
      else missedAttackItems += 1;
    }
  }
  return { threshold, size, attackItems, noiseItems: size - attackItems, missedAttackItems };
}

function noiseInTopOf(items: readonly QueueItem[]): AnalystView['noiseInTop'] {
  const ordered = [...items].sort(
    (a, b) => b.priority - a.priority || Number(a.attackAlerts > 0) - Number(b.attackAlerts > 0),
  );
  const noiseIn = (k: number): number =>
    ordered.slice(0, k).filter((item) => item.attackAlerts === 0).length;
  return { '20': noiseIn(20), '50': noiseIn(50) };
}

export const LOWER_THRESHOLDS: readonly number[] = [30, 40, 50, 60];

export interface AnalystViewOptions {
  /** HIGH_PRIORITY_THRESHOLD; null for scores on another scale (the rarity reference). */
  readonly highPriorityThreshold: number | null;
}

export function analystView(
  items: readonly QueueItem[],
  { highPriorityThreshold }: AnalystViewOptions,
): AnalystView {
  let first: QueueItem | null = null;
  let attackItems = 0;
  let totalAttackAlerts = 0;
  let noiseAlertsInAttackItems = 0;
  for (const item of items) {
    totalAttackAlerts += item.attackAlerts;
    if (item.attackAlerts === 0) continue;
    attackItems += 1;
    noiseAlertsInAttackItems += item.alerts - item.attackAlerts;
    if (first === null || item.priority > first.priority) first = item;
  }
  let firstAttackRank: number | null = null;
  if (first !== null) {
    const top = first.priority;
    firstAttackRank = 1 + items.filter((i) => i.attackAlerts === 0 && i.priority >= top).length;
  }
  return {
    items: items.length,
    attackItems,
    firstAttackRank,
    firstAttackItem:
      first === null
        ? null
        : {
            alerts: first.alerts,
            attackAlerts: first.attackAlerts,
            shareOfAttackAlerts: first.attackAlerts / totalAttackAlerts,
          },
    noiseAlertsInAttackItems,
    rocAuc: rocAuc(items.map((i) => ({ score: i.priority, positive: i.attackAlerts > 0 }))),
    highQueue: highPriorityThreshold === null ? null : highQueueOf(items, highPriorityThreshold),
    lowerQueues:
      highPriorityThreshold === null
        ? []
        : LOWER_THRESHOLDS.filter((threshold) => threshold < highPriorityThreshold).map(
            (threshold) => highQueueOf(items, threshold),
          ),
    noiseInTop: noiseInTopOf(items),
    priorities: spreadOf(items.map((i) => i.priority).sort((a, b) => a - b)),
  };
}

/** Stories from incidents: alerts add up, the story's priority is its highest incident's. */
export function storiesOf(
  incidents: readonly QueueItem[],
  storyOf: (incidentId: string) => string,
): QueueItem[] {
  const stories = new Map<
    string,
    { id: string; priority: number; alerts: number; attackAlerts: number }
  >();
  for (const incident of incidents) {
    const id = storyOf(incident.id);
    const story = stories.get(id);
    if (story === undefined) stories.set(id, { ...incident, id });
    else {
      story.priority = Math.max(story.priority, incident.priority);
      story.alerts += incident.alerts;
      story.attackAlerts += incident.attackAlerts;
    }
  }
  return [...stories.values()];
}
