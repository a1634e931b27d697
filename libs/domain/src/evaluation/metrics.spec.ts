import { anAlert, configOf, Harness, host } from '../../test/correlation/spec-support';
import {
  assignAlerts,
  compareClusterings,
  evaluateCorrelation,
  precisionAt,
  rocAuc,
  type LabeledAlertRef,
} from '.';

describe('compareClusterings', () => {
  it('counts pairs from the contingency table (hand-computed case)', () => {
    // Predicted {1,2} {3,4} {5}; true {1,2,3} {4} {5}.
    // Pairs together in both: (1,2) = 1; predicted pairs 2; true pairs 3.
    const metrics = compareClusterings(['A', 'A', 'B', 'B', 'C'], ['x', 'x', 'x', 'y', 'z']);
    expect(metrics).toMatchObject({ truePairs: 1, predictedPairs: 2, goldPairs: 3 });
    expect(metrics.pairwisePrecision).toBeCloseTo(1 / 2, 12);
    expect(metrics.pairwiseRecall).toBeCloseTo(1 / 3, 12);
    expect(metrics.pairwiseF1).toBeCloseTo(0.4, 12);
    // Expected index 2 * 3 / C(5,2) = 0.6; ARI = (1 - 0.6) / ((2 + 3) / 2 - 0.6) = 0.4 / 1.9.
    expect(metrics.adjustedRandIndex).toBeCloseTo(0.4 / 1.9, 12);
  });

  it('scores identical clusterings 1 whatever the labels are called', () => {
    const metrics = compareClusterings(['p', 'p', 'q', 'r', 'r'], ['a', 'a', 'b', 'c', 'c']);
    expect(metrics).toMatchObject({
      pairwisePrecision: 1,
      pairwiseRecall: 1,
      pairwiseF1: 1,
      adjustedRandIndex: 1,
    });
  });

  it('leaves pairwise ratios undefined when there are no pairs, and calls two all-singleton clusterings identical', () => {
    expect(compareClusterings(['a', 'b', 'c'], ['x', 'y', 'z'])).toMatchObject({
      pairwisePrecision: null,
      pairwiseRecall: null,
      pairwiseF1: null,
      adjustedRandIndex: 1,
    });
  });

  it('scores below zero a clustering that disagrees more than chance', () => {
    // Predicted {1,2} {3,4}; true {1,3} {2,4}: no agreeing pair.
    const metrics = compareClusterings(['A', 'A', 'B', 'B'], ['x', 'y', 'x', 'y']);
    expect(metrics.pairwiseF1).toBe(0);
    // Expected 2 * 2 / 6 = 2/3; ARI = (0 - 2/3) / (2 - 2/3) = -0.5.
    expect(metrics.adjustedRandIndex).toBeCloseTo(-0.5, 12);
  });
});

describe('rocAuc and precisionAt', () => {
  it('is the share of positive-negative pairs ranked the right way round', () => {
    // Pairs: (0.9 > 0.8) (0.9 > 0.1) (0.7 < 0.8) (0.7 > 0.1): 3 of 4.
    const scored = [
      { score: 0.9, positive: true },
      { score: 0.8, positive: false },
      { score: 0.7, positive: true },
      { score: 0.1, positive: false },
    ];
    expect(rocAuc(scored)).toBeCloseTo(0.75, 12);
  });

  it('counts ties as half', () => {
    expect(
      rocAuc([
        { score: 5, positive: true },
        { score: 5, positive: false },
      ]),
    ).toBe(0.5);
    expect(
      rocAuc([
        { score: 5, positive: true },
        { score: 5, positive: false },
        { score: 1, positive: false },
      ]),
    ).toBe(0.75);
  });

  it('is undefined without both classes', () => {
    expect(rocAuc([{ score: 1, positive: true }])).toBeNull();
  });

  it('takes the share of positives among the first k, or among all when there are fewer', () => {
    const ranked = [{ positive: true }, { positive: false }, { positive: true }];
    expect(precisionAt(ranked, 2)).toBe(0.5);
    expect(precisionAt(ranked, 10)).toBeCloseTo(2 / 3, 12);
    expect(precisionAt([], 5)).toBeNull();
  });
});

describe('evaluateCorrelation', () => {
  it('reads the grouping and final priorities from the incident events, following merges', () => {
    const h = new Harness();
    const a1 = anAlert({ alertId: 'a1', at: 0, severity: 90, entities: [host('ws-01')] });
    const a2 = anAlert({
      alertId: 'a2',
      at: 1,
      ruleId: 'R-2',
      severity: 90,
      entities: [host('ws-02')],
    });
    const bridge = anAlert({
      alertId: 'a3',
      at: 2,
      ruleId: 'R-3',
      severity: 90,
      entities: [host('ws-01'), host('ws-02')],
    });
    const noise = anAlert({
      alertId: 'n1',
      at: 2,
      ruleId: 'R-4',
      severity: 10,
      entities: [host('ws-09')],
    });
    for (const alert of [a1, a2, bridge, noise]) h.alert(alert);
    const assignment = assignAlerts(h.events);
    const incidentOf = (id: string) => assignment.incidentOf.get(`acme\u0000${id}`);
    expect(incidentOf('a2')).toBe(incidentOf('a1'));
    expect(incidentOf('a3')).toBe(incidentOf('a1'));
    expect(incidentOf('n1')).not.toBe(incidentOf('a1'));

    const labels: LabeledAlertRef[] = [
      { tenantId: 'acme', alertId: 'a1', label: { group: 'attack', verdict: 'tp' } },
      { tenantId: 'acme', alertId: 'a2', label: { group: 'attack', verdict: 'tp' } },
      { tenantId: 'acme', alertId: 'a3', label: { group: 'attack', verdict: 'tp' } },
      { tenantId: 'acme', alertId: 'n1', label: { group: null, verdict: 'fp' } },
    ];
    const report = evaluateCorrelation(labels, h.events, { precisionAtK: [1, 2] });
    expect(report).toMatchObject({
      alerts: 4,
      incidents: 2,
      reductionRatio: 2,
      reduction: 0.5,
      suppressedAlerts: 0,
      unassignedAlerts: 0,
      grouping: { pairwisePrecision: 1, pairwiseRecall: 1, adjustedRandIndex: 1, truePairs: 3 },
      ranking: { positives: 1, negatives: 1, rocAuc: 1, precisionAtK: { '1': 1, '2': 0.5 } },
    });
  });

  it('counts suppressed and unmentioned alerts as singletons', () => {
    const h = new Harness(
      configOf({ defaults: { suppressions: [{ id: 'S', reason: 'known', ruleIds: ['R-s'] }] } }),
    );
    h.alert(anAlert({ alertId: 's1', ruleId: 'R-s' }));
    const report = evaluateCorrelation(
      [
        { tenantId: 'acme', alertId: 's1', label: { group: 'g', verdict: 'benign' } },
        { tenantId: 'acme', alertId: 'missing', label: { group: 'g', verdict: 'benign' } },
      ],
      h.events,
    );
    expect(report).toMatchObject({
      incidents: 0,
      suppressedAlerts: 1,
      unassignedAlerts: 1,
      reductionRatio: null,
    });
    expect(report.grouping).toMatchObject({
      pairwisePrecision: null,
      pairwiseRecall: 0,
      adjustedRandIndex: 0,
    });
  });

  it('calls an incident positive only when most of its alerts are true positives', () => {
    const h = new Harness();
    h.alert(anAlert({ alertId: 'p', at: 0 }));
    h.alert(anAlert({ alertId: 'q', at: 1, ruleId: 'R-2' }));
    const half = evaluateCorrelation(
      [
        { tenantId: 'acme', alertId: 'p', label: { group: 'g', verdict: 'tp' } },
        { tenantId: 'acme', alertId: 'q', label: { group: 'g', verdict: 'fp' } },
      ],
      h.events,
    );
    expect(half.ranking).toMatchObject({ positives: 0, negatives: 1 });
  });
});
