import type { CanonicalAlert } from '@soc/contracts';
import { defaultCorrelationConfig } from '../correlation/config';
import { anAlert, host } from '../../test/correlation/spec-support';
import { feedbackReplay, type TimedLabeledAlert } from './feedback-replay';

const HOUR_MIN = 60;

/** A day of a backup job's noise on ws-3, every two hours, and one attack alert at the end. */
function scenario(): { alerts: CanonicalAlert[]; labeled: TimedLabeledAlert[] } {
  const alerts: CanonicalAlert[] = [];
  for (let hour = 0; hour < 24; hour += 2)
    alerts.push(anAlert({ at: hour * HOUR_MIN, ruleId: 'R-backup', entities: [host('ws-3')] }));
  alerts.push(anAlert({ at: 23 * HOUR_MIN, ruleId: 'R-dump', entities: [host('dc-1')] }));
  alerts.sort((a, b) => a.observedAt - b.observedAt);
  const labeled = alerts.map((alert) => ({
    tenantId: alert.tenantId,
    alertId: alert.alertId,
    observedAt: alert.observedAt,
    label:
      alert.ruleId === 'R-dump'
        ? { group: 'attack', verdict: 'tp' as const }
        : { group: null, verdict: 'fp' as const },
  }));
  return { alerts, labeled };
}

describe('feedbackReplay', () => {
  const { alerts, labeled } = scenario();
  const input = {
    alerts,
    labeled,
    config: defaultCorrelationConfig(),
    tickEveryMs: 1_000,
    fraction: 0.5,
    evaluation: { highPriorityThreshold: 80 },
  };

  it('feeds back the labels of incidents closing in the first fraction and evaluates both runs over the rest', () => {
    const report = feedbackReplay(input);
    const first = labeled[0]!.observedAt;
    const last = labeled[labeled.length - 1]!.observedAt;
    expect(report.cutoff).toBe(first + 0.5 * (last - first));
    expect(report.verdicts.truePositive).toBe(0);
    expect(report.verdicts.falsePositive).toBeGreaterThanOrEqual(3);
    expect(report.evaluatedAlerts).toBe(
      labeled.filter((a) => a.observedAt >= report.cutoff).length,
    );
    expect(report.withoutFeedback.alerts).toBe(report.evaluatedAlerts);
    // The backup incidents after the cutoff score lower once their pattern was judged noise.
    const median = (r: typeof report.withFeedback) => r.analyst.incidents.priorities?.median ?? 0;
    expect(median(report.withFeedback)).toBeLessThan(median(report.withoutFeedback));
    // The attack's incident has a rule nobody judged: it keeps its rank.
    expect(report.withFeedback.analyst.stories.firstAttackRank).toBe(1);
  });

  it('is deterministic: the same file gives the same report', () => {
    expect(feedbackReplay(input)).toEqual(feedbackReplay(input));
  });
});
