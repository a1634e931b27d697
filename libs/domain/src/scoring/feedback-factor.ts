import {
  feedbackPoints,
  pointsOfStrength,
  type FeedbackAssessment,
  type VerdictEvidence,
} from '../feedback';

/*
 * The analysts' feedback as a score adjustment: what past verdicts on the incident's pattern
 * and corrected priorities of its rules say (see feedback/assess.ts), in their words.
 */

const signed = (points: number): string => (points > 0 ? `+${points}` : String(points));

function whereOf(evidence: VerdictEvidence): string {
  if (evidence.level === 'rule-entity' && evidence.entity !== null)
    return ` on ${evidence.entity.type} ${evidence.entity.value}`;
  if (evidence.level === 'pattern') {
    const tactic = evidence.tactic === '-' ? '' : ` in ${evidence.tactic}`;
    return ` on ${evidence.entityType} entities${tactic}`;
  }
  return '';
}

function verdictWords(evidence: VerdictEvidence, points: number): string {
  const total = evidence.falsePositives + evidence.truePositives;
  const noise = evidence.strength < 0 || evidence.truePositives === 0;
  const counted = noise ? evidence.falsePositives : evidence.truePositives;
  const closedAs = noise ? 'false positive' : 'true positive';
  return (
    `${counted} of ${total} past incidents of rule ${evidence.rule}${whereOf(evidence)} ` +
    `were closed as ${closedAs}: ${signed(points)}`
  );
}

/** The adjustment's points on a priority of `base` from the other factors, and its reason. */
export function feedbackAdjustment(
  assessment: FeedbackAssessment,
  base: number,
): { readonly points: number; readonly reason: string } {
  const points = feedbackPoints(assessment, base);
  const words: string[] = [];
  const verdict =
    assessment.verdict === null ? 0 : pointsOfStrength(assessment.verdict.strength, base);
  if (assessment.verdict !== null) words.push(verdictWords(assessment.verdict, verdict));
  const correction = assessment.correction;
  if (correction !== null) {
    words.push(
      `analysts corrected ${correction.corrections} past incidents of rule ${correction.rule} ` +
        `to priority ${correction.meanPriority} on average: ${signed(points - verdict)}`,
    );
  }
  return { points, reason: words.join('; ') };
}
