import { analystView, storiesOf, type QueueItem } from './analyst-view';

const item = (id: string, priority: number, alerts: number, attackAlerts: number): QueueItem => ({
  id,
  priority,
  alerts,
  attackAlerts,
});

describe('analystView', () => {
  const queue = [
    item('noise-a', 90, 40, 0),
    item('attack-1', 85, 10, 8),
    item('noise-b', 85, 5, 0),
    item('attack-2', 30, 3, 2),
    item('noise-c', 10, 100, 0),
  ];

  it('ranks the first attack item after every noise item of equal or higher priority', () => {
    const view = analystView(queue, { highPriorityThreshold: 80 });
    expect(view.firstAttackRank).toBe(3);
    expect(view.firstAttackItem).toEqual({ alerts: 10, attackAlerts: 8, shareOfAttackAlerts: 0.8 });
    expect(view.attackItems).toBe(2);
    expect(view.noiseAlertsInAttackItems).toBe(3);
  });

  it('counts the high queue: its size, attack and noise items, and the attack items it misses', () => {
    expect(analystView(queue, { highPriorityThreshold: 80 }).highQueue).toEqual({
      threshold: 80,
      size: 3,
      attackItems: 1,
      noiseItems: 2,
      missedAttackItems: 1,
    });
    expect(analystView(queue, { highPriorityThreshold: null }).highQueue).toBeNull();
  });

  it('counts the same queue at the lower thresholds under the high one', () => {
    const lower = analystView(queue, { highPriorityThreshold: 45 }).lowerQueues;
    expect(lower.map((view) => [view.threshold, view.noiseItems, view.attackItems])).toEqual([
      [30, 2, 2],
      [40, 2, 1],
    ]);
    expect(analystView(queue, { highPriorityThreshold: null }).lowerQueues).toEqual([]);
  });

  it('gives the ROC AUC of attack items over noise items and the spread of priorities', () => {
    const view = analystView(queue, { highPriorityThreshold: 80 });
    // attack-1 beats noise-c, ties noise-b, loses to noise-a: 1.5 of 3; attack-2 beats noise-c only.
    expect(view.rocAuc).toBeCloseTo((1.5 + 1) / 6, 12);
    expect(view.priorities).toEqual({ min: 10, median: 85, p90: 90, max: 90, distinct: 4 });
  });

  it('has no first attack item when no item holds an attack alert', () => {
    const view = analystView([item('n', 50, 1, 0)], { highPriorityThreshold: 80 });
    expect(view).toMatchObject({ firstAttackRank: null, firstAttackItem: null, rocAuc: null });
  });
});

describe('storiesOf', () => {
  it('adds up the alerts of a story and gives it the priority of its highest incident', () => {
    const stories = storiesOf(
      [item('i1', 40, 3, 1), item('i2', 70, 2, 0), item('i3', 20, 1, 0)],
      (id) => (id === 'i3' ? 'i3' : 'story-1'),
    );
    expect(stories).toEqual([item('story-1', 70, 5, 1), item('i3', 20, 1, 0)]);
  });
});
