import type { AlertEntity } from '@soc/contracts';
import {
  boundedPattern,
  patternKeysOf,
  ruleEntityKey,
  ruleKey,
  type FeedbackModel,
  type FeedbackPattern,
  type KeyCounts,
} from './model';

/*
 * From counts to points. Per key, the share of noise is a smoothed rate with a Beta(1, 1)
 * prior: (fp + 1) / (fp + TP_WEIGHT * tp + 2), where one analyst's false positives count at
 * most MAX_FP_PER_ANALYST times (a burst of one analyst cannot outvote the evidence) and a
 * true positive counts TP_WEIGHT times (one real attack outweighs many closed-as-noise ones:
 * missing an attack costs more than reading noise). Below MIN_VERDICTS incidents a key says
 * nothing. The most specific key with enough verdicts decides for a rule (rule and entity,
 * then pattern, then rule), and an incident takes the most favourable of its rules: a rule
 * nobody has judged yet keeps the incident where the other factors put it.
 */

export const PRIOR = 1;
export const TP_WEIGHT = 10;
export const MAX_FP_PER_ANALYST = 10;
export const MIN_VERDICTS = 3;
/**
 * A noise history takes off at most this share of the priority the other factors give (so a
 * judged pattern keeps its order among its own kind and never drops to zero by feedback
 * alone); a true-positive history adds at most MAX_ATTACK_POINTS.
 */
export const MAX_NOISE_SHARE = 0.75;
export const MAX_ATTACK_POINTS = 15;
/** Corrections move the priority toward their mean by corrections / (corrections + this). */
export const CORRECTION_SHRINK = 2;
export const MAX_FEEDBACK_POINTS = 40;

export type EvidenceLevel = 'rule-entity' | 'pattern' | 'rule';

/** What decided a rule's verdict points, for the explanation. */
export interface VerdictEvidence {
  readonly rule: string;
  readonly level: EvidenceLevel;
  readonly entity: Pick<AlertEntity, 'type' | 'value'> | null;
  readonly entityType: string | null;
  readonly tactic: string | null;
  readonly falsePositives: number;
  readonly truePositives: number;
  /** -1 (certain noise) to 1 (certain attack), weighed by how much was judged. */
  readonly strength: number;
}

export interface CorrectionEvidence {
  readonly rule: string;
  readonly corrections: number;
  readonly meanPriority: number;
}

/** What the feedback model says about an incident; null when it says nothing. */
export interface FeedbackAssessment {
  readonly verdict: VerdictEvidence | null;
  readonly correction: CorrectionEvidence | null;
}

const clamp = (value: number, low: number, high: number): number =>
  Math.min(high, Math.max(low, value));

function effectiveFalsePositives(counts: KeyCounts): number {
  let total = 0;
  for (const fp of counts.fpByAnalyst.values()) total += Math.min(fp, MAX_FP_PER_ANALYST);
  return total;
}

/** Signed strength of one key's verdicts: negative for a noise history, positive for attacks. */
export function verdictStrength(counts: KeyCounts): number {
  const verdicts = counts.tp + counts.fp;
  if (verdicts < MIN_VERDICTS && counts.tp === 0) return 0;
  const fp = effectiveFalsePositives(counts);
  const noiseShare = (fp + PRIOR) / (fp + TP_WEIGHT * counts.tp + 2 * PRIOR);
  const judged = fp + counts.tp;
  const confidence = judged / (judged + 2);
  return ((0.5 - noiseShare) / 0.5) * confidence;
}

/** The points a strength gives on a priority of `base` from the other factors. */
export const pointsOfStrength = (strength: number, base: number): number =>
  strength < 0
    ? Math.round(strength * MAX_NOISE_SHARE * clamp(base, 0, 100))
    : Math.round(strength * MAX_ATTACK_POINTS);

const hasEnough = (counts: KeyCounts | undefined): counts is KeyCounts =>
  counts !== undefined && (counts.tp > 0 || counts.tp + counts.fp >= MIN_VERDICTS);

/** The most-judged key of a list (first in order on ties). */
function mostJudged(
  model: FeedbackModel,
  keys: readonly string[],
): { readonly key: string; readonly counts: KeyCounts } | null {
  let best: { key: string; counts: KeyCounts } | null = null;
  for (const key of keys) {
    const counts = model.counts.get(key);
    if (!hasEnough(counts)) continue;
    if (best === null || counts.tp + counts.fp > best.counts.tp + best.counts.fp)
      best = { key, counts };
  }
  return best;
}

function evidenceOf(
  rule: string,
  level: EvidenceLevel,
  found: { readonly key: string; readonly counts: KeyCounts },
  pattern: FeedbackPattern,
): VerdictEvidence {
  const parts = found.key.split('|');
  const entity =
    level === 'rule-entity'
      ? (pattern.entities.find((e) => ruleEntityKey(rule, e) === found.key) ?? null)
      : null;
  return {
    rule,
    level,
    entity,
    entityType: level === 'pattern' ? (parts[parts.length - 2] ?? null) : null,
    tactic: level === 'pattern' ? (parts[parts.length - 1] ?? null) : null,
    falsePositives: found.counts.fp,
    truePositives: found.counts.tp,
    strength: verdictStrength(found.counts),
  };
}

/** The verdict evidence of one rule: its most specific key with enough verdicts. */
function ruleEvidence(
  model: FeedbackModel,
  rule: string,
  pattern: FeedbackPattern,
): VerdictEvidence | null {
  const levels: readonly (readonly [EvidenceLevel, readonly string[]])[] = [
    ['rule-entity', pattern.entities.map((entity) => ruleEntityKey(rule, entity))],
    ['pattern', patternKeysOf(rule, pattern)],
    ['rule', [ruleKey(rule)]],
  ];
  for (const [level, keys] of levels) {
    const found = mostJudged(model, keys);
    if (found !== null) return evidenceOf(rule, level, found, pattern);
  }
  return null;
}

function correctionOf(model: FeedbackModel, rules: readonly string[]): CorrectionEvidence | null {
  let best: CorrectionEvidence | null = null;
  for (const rule of rules) {
    const counts = model.counts.get(ruleKey(rule));
    if (counts === undefined || counts.corrections <= 0) continue;
    if (best === null || counts.corrections > best.corrections)
      best = {
        rule,
        corrections: counts.corrections,
        meanPriority: Math.round(counts.correctionSum / counts.corrections),
      };
  }
  return best;
}

/**
 * What the tenant's feedback says about an incident of this pattern. The verdict evidence is
 * that of the rule with the most favourable points (a rule without enough verdicts counts as 0),
 * so an incident is lowered only when every one of its rules has a noise history.
 */
export function assessFeedback(
  model: FeedbackModel,
  incident: FeedbackPattern,
): FeedbackAssessment | null {
  if (model.counts.size === 0) return null;
  const pattern = boundedPattern(incident);
  let verdict: VerdictEvidence | null = null;
  let unjudged = false;
  for (const rule of pattern.rules) {
    const evidence = ruleEvidence(model, rule, pattern);
    if (evidence === null) unjudged = true;
    else if (verdict === null || evidence.strength > verdict.strength) verdict = evidence;
  }
  if (verdict !== null && unjudged && verdict.strength < 0) verdict = null;
  const correction = correctionOf(model, pattern.rules);
  return verdict === null && correction === null ? null : { verdict, correction };
}

/**
 * The points feedback adds to a priority computed from the other factors (`base`): the verdict
 * points plus a move toward the analysts' corrected priority, at most MAX_FEEDBACK_POINTS
 * either way.
 */
export function feedbackPoints(assessment: FeedbackAssessment, base: number): number {
  const verdict =
    assessment.verdict === null ? 0 : pointsOfStrength(assessment.verdict.strength, base);
  const correction = assessment.correction;
  const toward =
    correction === null
      ? 0
      : Math.round(
          ((correction.meanPriority - clamp(base + verdict, 0, 100)) * correction.corrections) /
            (correction.corrections + CORRECTION_SHRINK),
        );
  return clamp(verdict + toward, -MAX_FEEDBACK_POINTS, MAX_FEEDBACK_POINTS);
}
