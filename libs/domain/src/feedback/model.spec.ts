import type { AlertEntity } from '@soc/contracts';
import {
  assessFeedback,
  feedbackPoints,
  MAX_FEEDBACK_POINTS,
  MAX_FP_PER_ANALYST,
  MAX_NOISE_SHARE,
  verdictStrength,
} from './assess';
import {
  MAX_FEEDBACK_INCIDENTS,
  newFeedbackModel,
  recordFeedback,
  ruleKey,
  type FeedbackLabel,
  type FeedbackModel,
  type FeedbackPattern,
} from './model';

const host = (value: string): AlertEntity => ({
  type: 'host',
  value,
  role: null,
  hashAlgorithm: null,
});

const pattern = (overrides: Partial<FeedbackPattern> = {}): FeedbackPattern => ({
  rules: ['R-5710'],
  entities: [host('ws-3')],
  tactics: ['TA0006'],
  ...overrides,
});

/** The points feedback gives an incident of the pattern scored 60 by the other factors. */
const pointsOn = (model: FeedbackModel, on: FeedbackPattern = pattern()): number => {
  const assessment = assessFeedback(model, on);
  return assessment === null ? 0 : feedbackPoints(assessment, 60);
};

let serial = 0;
function judge(
  model: FeedbackModel,
  {
    label,
    times = 1,
    analyst = 'analyst:ana',
    on = pattern(),
  }: {
    readonly label: FeedbackLabel;
    readonly times?: number;
    readonly analyst?: string;
    readonly on?: FeedbackPattern;
  },
): void {
  for (let i = 0; i < times; i += 1) {
    serial += 1;
    recordFeedback(model, {
      incidentId: `inc-${serial}`,
      analyst,
      label,
      correctPriority: null,
      pattern: on,
    });
  }
}

describe('feedback model', () => {
  it('says nothing below the minimum of verdicts, so one or two false positives change no score', () => {
    const model = newFeedbackModel();
    judge(model, { label: 'fp', times: 2 });
    expect(assessFeedback(model, pattern())).toBeNull();
  });

  it('lowers a pattern closed as false positive again and again, smoothed by the prior and growing with evidence', () => {
    const model = newFeedbackModel();
    judge(model, { label: 'fp', times: 3 });
    const three = pointsOn(model);
    judge(model, { label: 'fp', times: 6 });
    const nine = pointsOn(model);
    expect(three).toBeLessThan(0);
    // Beta(1, 1) prior: 3 of 3 is a noise share of 4/5, never certainty.
    expect(three).toBe(-Math.round(0.6 * (3 / 5) * MAX_NOISE_SHARE * 60));
    expect(nine).toBeLessThan(three);
    // Feedback alone never takes a pattern to zero.
    expect(nine).toBeGreaterThan(-MAX_NOISE_SHARE * 60);
  });

  it('uses the most specific evidence: the rule on this host, then the pattern, then the rule', () => {
    const model = newFeedbackModel();
    judge(model, { label: 'fp', times: 4, on: pattern({ entities: [host('ws-3')] }) });
    judge(model, { label: 'fp', times: 4, on: pattern({ entities: [host('ws-9')] }) });
    const onHost = assessFeedback(model, pattern({ entities: [host('ws-3')] }))?.verdict;
    expect(onHost).toMatchObject({ level: 'rule-entity', falsePositives: 4 });
    const otherHost = assessFeedback(model, pattern({ entities: [host('ws-12')] }))?.verdict;
    expect(otherHost).toMatchObject({ level: 'pattern', entityType: 'host', tactic: 'TA0006' });
    expect(otherHost?.falsePositives).toBe(8);
    const otherTactic = assessFeedback(
      model,
      pattern({ entities: [{ ...host('x'), type: 'user' }], tactics: [] }),
    )?.verdict;
    expect(otherTactic).toMatchObject({ level: 'rule', falsePositives: 8 });
  });

  it('lets one true positive outweigh many false positives of the same pattern', () => {
    const model = newFeedbackModel();
    judge(model, { label: 'fp', times: 8, analyst: 'analyst:a' });
    judge(model, { label: 'fp', times: 2, analyst: 'analyst:b' });
    expect(pointsOn(model)).toBeLessThan(-10);
    judge(model, { label: 'tp' });
    expect(pointsOn(model)).toBeGreaterThanOrEqual(0);
  });

  it('counts at most MAX_FP_PER_ANALYST false positives of one analyst: a burst cannot push a rule down alone', () => {
    const burst = newFeedbackModel();
    judge(burst, { label: 'fp', times: 500, analyst: 'analyst:eager' });
    const capped = newFeedbackModel();
    judge(capped, { label: 'fp', times: MAX_FP_PER_ANALYST, analyst: 'analyst:eager' });
    const burstPoints = pointsOn(burst);
    expect(burstPoints).toBe(pointsOn(capped));
    expect(burstPoints).toBeGreaterThan(-MAX_FEEDBACK_POINTS);
    const team = newFeedbackModel();
    for (const analyst of ['a', 'b', 'c', 'd', 'e'])
      judge(team, { label: 'fp', times: 100, analyst: `analyst:${analyst}` });
    expect(pointsOn(team)).toBeLessThan(burstPoints);
  });

  it('counts each incident once with its latest verdict: a repeat changes nothing, a changed verdict replaces', () => {
    const model = newFeedbackModel();
    const feedback = {
      incidentId: 'inc-x',
      analyst: 'analyst:ana',
      label: 'fp' as const,
      correctPriority: null,
      pattern: pattern(),
    };
    expect(recordFeedback(model, feedback)).toBe(true);
    expect(recordFeedback(model, feedback)).toBe(false);
    expect(model.counts.get(ruleKey('R-5710'))).toMatchObject({ fp: 1, tp: 0 });
    recordFeedback(model, { ...feedback, label: 'tp' });
    expect(model.counts.get(ruleKey('R-5710'))).toMatchObject({ fp: 0, tp: 1 });
  });

  it('keeps the tenant model bounded, forgetting the oldest incidents and their counts', () => {
    const model = newFeedbackModel();
    judge(model, { label: 'tp', on: pattern({ rules: ['R-old'] }) });
    judge(model, { label: 'fp', times: MAX_FEEDBACK_INCIDENTS });
    expect(model.incidents.size).toBe(MAX_FEEDBACK_INCIDENTS);
    expect(model.counts.has(ruleKey('R-old'))).toBe(false);
  });

  it('lowers an incident only when every one of its rules has a noise history', () => {
    const model = newFeedbackModel();
    judge(model, { label: 'fp', times: 6 });
    expect(
      assessFeedback(model, pattern({ rules: ['R-5710', 'R-never-judged'] }))?.verdict ?? null,
    ).toBeNull();
  });

  it('moves the priority toward the analysts’ corrected priority, shrunk by how many corrected it', () => {
    const model = newFeedbackModel();
    recordFeedback(model, {
      incidentId: 'inc-c1',
      analyst: 'analyst:ana',
      label: null,
      correctPriority: 95,
      pattern: pattern(),
    });
    const one = assessFeedback(model, pattern());
    expect(one?.correction).toMatchObject({ corrections: 1, meanPriority: 95 });
    expect(feedbackPoints(one!, 50)).toBe(Math.round((45 * 1) / 3));
    recordFeedback(model, {
      incidentId: 'inc-c2',
      analyst: 'analyst:bo',
      label: null,
      correctPriority: 95,
      pattern: pattern(),
    });
    expect(feedbackPoints(assessFeedback(model, pattern())!, 50)).toBe(Math.round((45 * 2) / 4));
  });

  it('is a deterministic fold: the same feedback in the same order gives the same points', () => {
    const build = (): FeedbackModel => {
      const model = newFeedbackModel();
      for (let i = 0; i < 40; i += 1)
        recordFeedback(model, {
          incidentId: `inc-${i % 17}`,
          analyst: `analyst:${i % 3}`,
          label: i % 7 === 0 ? 'tp' : 'fp',
          correctPriority: i % 5 === 0 ? 20 + i : null,
          pattern: pattern({ entities: [host(`ws-${i % 4}`)] }),
        });
      return model;
    };
    const a = assessFeedback(build(), pattern());
    const b = assessFeedback(build(), pattern());
    expect(a).toEqual(b);
    expect(a).not.toBeNull();
  });

  it('gives a verdict strength from counts alone, between -1 and 1', () => {
    const counts = (tp: number, fp: number) => ({
      tp,
      fp,
      fpByAnalyst: new Map([['analyst:a', fp]]),
      corrections: 0,
      correctionSum: 0,
    });
    expect(verdictStrength(counts(0, 2))).toBe(0);
    expect(verdictStrength(counts(0, 1000))).toBeGreaterThan(-1);
    expect(verdictStrength(counts(3, 0))).toBeGreaterThan(0);
    expect(verdictStrength(counts(3, 0))).toBeLessThan(1);
  });
});
