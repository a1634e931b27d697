import type {
  AlertEntity,
  EpochMs,
  ScoreAdjustment,
  ScoreExplanation,
  ScoreFactor,
  ScoreFactorName,
} from '@soc/contracts';
import type { FeedbackAssessment } from '../feedback';
import { attackStageCount, attackStagesOf } from './attack-stages';
import { feedbackAdjustment } from './feedback-factor';
import { evidenceScore, type EvidenceScore, type EvidenceTally } from './evidence';
import { factorReasons } from './score-reasons';
import { threatIntelFactor, type DecisiveIntel } from './threat-intel-factor';
import { spreadOverEvidence, type ScoreWeights } from './weights';

/** What the asset inventory knows about an entity. */
export interface AssetContext {
  /** 1 (lab box) to 5 (domain controller, payment database). */
  readonly criticality: number;
  /** `crown-jewel` and `internet-facing` raise the business context. */
  readonly tags: readonly string[];
}

/** A pure lookup into the asset inventory; undefined when the inventory does not know it. */
export type AssetLookup = (entity: AlertEntity) => AssetContext | undefined;

export interface ScoringContext {
  readonly assets: AssetLookup;
  /** Criticality assumed when the inventory knows none of the incident's entities. */
  readonly defaultCriticality: number;
  /** Confidence assumed when no alert of the incident states one. */
  readonly defaultConfidence: number;
  /** Event-time age of the last alert at which freshness has halved. */
  readonly freshnessHalfLifeMs: number;
}

export const noAssets: AssetLookup = () => undefined;

/**
 * Documented defaults: an entity the inventory does not know is an ordinary asset
 * (criticality 2 of 5, raw 40); a missing confidence is a coin toss (50); freshness halves
 * every 6 hours of event time.
 */
export const DEFAULT_SCORING_CONTEXT: ScoringContext = {
  assets: noAssets,
  defaultCriticality: 2,
  defaultConfidence: 50,
  freshnessHalfLifeMs: 6 * 3_600_000,
};

/** Threat-intel verdicts of an incident's alerts, aggregated. */
export interface IntelFacts {
  /** Highest score among `malicious` verdicts, null when there is none. */
  readonly maliciousMax: number | null;
  readonly suspiciousMax: number | null;
  readonly benignVerdicts: number;
  readonly unknownVerdicts: number;
  /** The strongest verdict with its provider's words, for the reason (threat-intel-factor.ts). */
  readonly decisive?: DecisiveIntel | null;
}

/** Repeats marked routine (steady rhythm) inside the incident. */
export interface RoutineFacts {
  /** Alerts (first occurrences and repeats) that belong to routine repeat series. */
  readonly alerts: number;
  /** The rule of the largest routine series, for the explanation. */
  readonly rule: string | null;
  readonly intervalCv: number | null;
}

/**
 * The incident-level signals the score reads. The correlator keeps these as running
 * aggregates, so scoring costs the same for the tenth alert as for the ten-thousandth (apart
 * from the asset lookups, one per entity).
 */
export interface IncidentFacts {
  /** Every alert of the incident, repeats included. */
  readonly alertCount: number;
  readonly maxSeverity: number;
  /** Mean over alert rows: a series of repeats counts once. */
  readonly meanSeverity: number;
  readonly distinctRules: number;
  /** ATT&CK stages seen, as a mask over ATTACK_STAGES. */
  readonly tacticMask: number;
  readonly entityCount: number;
  /** The incident's entities, in groups; an entity may appear in more than one group. */
  readonly entities: readonly (readonly AlertEntity[])[];
  readonly intel: IntelFacts;
  /** Mean of the confidences the sources stated; null when none did. */
  readonly meanConfidence: number | null;
  readonly lastSeen: EpochMs;
  readonly routine: RoutineFacts;
  /** What the rows carried against the tenant's learned baseline (rarity, detectors). */
  readonly evidence: EvidenceTally;
  /** What analysts' past verdicts and corrections say about the pattern; absent: nothing. */
  readonly feedback?: FeedbackAssessment | null;
}

export interface IncidentScore {
  readonly priority: number;
  readonly explanation: ScoreExplanation;
}

/** A factor's value when nothing at all is known: neither good nor bad. */
const NEUTRAL = 50;
const KILL_CHAIN_MIN_STAGES = 3;
const KILL_CHAIN_POINTS_PER_STAGE = 5;
const KILL_CHAIN_MAX_POINTS = 15;
const ROUTINE_MAX_PENALTY = 30;
const RULE_BREADTH_POINTS = 5;
const RULE_BREADTH_MAX = 15;
const ENTITY_BREADTH_POINTS = 2;
const ENTITY_BREADTH_MAX = 10;
const CROWN_JEWEL_POINTS = 20;
const INTERNET_FACING_POINTS = 10;

/** Raw factor values and the facts their reasons quote: computed once, read twice. */
export interface ScoreParts {
  /** Null for a factor without evidence in this incident: it is left out, not guessed. */
  readonly raw: readonly [number | null, number | null, number | null, number | null, number];
  /** The weights re-spread over the factors with evidence, so they still sum to 1. */
  readonly weights: readonly number[];
  readonly learned: EvidenceScore;
  readonly ruleBreadth: number;
  readonly assetFound: boolean;
  readonly criticality: number;
  readonly criticalEntity: AlertEntity | null;
  /** Points the tags add (0 when absent). */
  readonly crownJewelPoints: number;
  readonly internetFacingPoints: number;
  readonly entityBreadth: number;
  readonly ageMs: number;
  readonly killChainPoints: number;
  readonly routinePoints: number;
  /** The priority before feedback, and the points feedback adds to it. */
  readonly feedbackBase: number;
  readonly feedbackPoints: number;
}

const FACTOR_ORDER: readonly ScoreFactorName[] = [
  'severity',
  'business_context',
  'threat_intel',
  'confidence',
  'freshness',
];

const clamp = (value: number, low: number, high: number): number =>
  Math.min(high, Math.max(low, value));
const round1 = (value: number): number => Math.round(value * 10) / 10;
const round2 = (value: number): number => Math.round(value * 100) / 100;

function computeParts(
  facts: IncidentFacts,
  context: ScoringContext,
  weights: ScoreWeights,
  now: EpochMs,
): ScoreParts {
  const ruleBreadth = Math.min(
    RULE_BREADTH_MAX,
    RULE_BREADTH_POINTS * Math.max(0, facts.distinctRules - 1),
  );
  const severity = facts.evidence.severityVaries
    ? round1(clamp(0.7 * facts.maxSeverity + 0.3 * facts.meanSeverity + ruleBreadth, 0, 100))
    : null;
  const business = businessParts(facts, context);
  const businessRaw = business.assetFound ? business.raw : null;
  const threat = threatRaw(facts.intel);
  const learned = evidenceScore(facts.evidence);
  let confidence = confidenceRaw(learned, facts.meanConfidence);
  // Nothing but the clock to go on (a tenant's first alerts): neutral, not fresh-therefore-urgent.
  if (confidence === null && severity === null && businessRaw === null && threat === null)
    confidence = NEUTRAL;
  const ageMs = Math.max(0, now - facts.lastSeen);
  const freshness = round1(100 * Math.pow(0.5, ageMs / context.freshnessHalfLifeMs));
  const raw = [severity, businessRaw, threat, confidence, freshness] as const;
  const parts: ScoreParts = {
    raw,
    weights: spreadOverEvidence(raw, weights),
    learned,
    ruleBreadth,
    assetFound: business.assetFound,
    criticality: business.criticality,
    criticalEntity: business.criticalEntity,
    crownJewelPoints: business.crownJewel ? CROWN_JEWEL_POINTS : 0,
    internetFacingPoints: business.internetFacing ? INTERNET_FACING_POINTS : 0,
    entityBreadth: business.entityBreadth,
    ageMs,
    killChainPoints: killChainPoints(facts.tacticMask),
    routinePoints: routinePoints(facts),
    feedbackBase: 0,
    feedbackPoints: 0,
  };
  if (facts.feedback === undefined || facts.feedback === null) return parts;
  const feedbackBase = priorityOf(parts);
  const { points } = feedbackAdjustment(facts.feedback, feedbackBase);
  return { ...parts, feedbackBase, feedbackPoints: points };
}

/** The stream's learned evidence, averaged with a confidence the sources stated. */
function confidenceRaw(learned: EvidenceScore, meanConfidence: number | null): number | null {
  const stated = meanConfidence === null ? null : clamp(meanConfidence, 0, 100);
  if (learned.raw === null) return stated === null ? null : round1(stated);
  return round1(stated === null ? learned.raw : (stated + learned.raw) / 2);
}

interface BusinessParts {
  readonly raw: number;
  readonly assetFound: boolean;
  readonly criticality: number;
  readonly criticalEntity: AlertEntity | null;
  readonly crownJewel: boolean;
  readonly internetFacing: boolean;
  readonly entityBreadth: number;
}

/** The business context: the most critical known asset, its tags, and the entity breadth. */
function businessParts(facts: IncidentFacts, context: ScoringContext): BusinessParts {
  let assetFound = false;
  let criticality = 0;
  let criticalEntity: AlertEntity | null = null;
  let crownJewel = false;
  let internetFacing = false;
  for (const group of facts.entities) {
    for (const entity of group) {
      const asset = context.assets(entity);
      if (asset === undefined) continue;
      assetFound = true;
      if (asset.criticality > criticality) {
        criticality = asset.criticality;
        criticalEntity = entity;
      }
      for (const tag of asset.tags) {
        const folded = tag.toLowerCase();
        if (folded === 'crown-jewel') crownJewel = true;
        else if (folded === 'internet-facing') internetFacing = true;
      }
    }
  }
  if (!assetFound) criticality = context.defaultCriticality;
  criticality = clamp(criticality, 1, 5);
  const entityBreadth = Math.min(
    ENTITY_BREADTH_MAX,
    ENTITY_BREADTH_POINTS * Math.max(0, facts.entityCount - 1),
  );
  const raw = round1(
    clamp(
      20 * criticality +
        (crownJewel ? CROWN_JEWEL_POINTS : 0) +
        (internetFacing ? INTERNET_FACING_POINTS : 0) +
        entityBreadth,
      0,
      100,
    ),
  );
  return {
    raw,
    assetFound,
    criticality,
    criticalEntity,
    crownJewel,
    internetFacing,
    entityBreadth,
  };
}

/** Threat intel counts only with a verdict: no verdict is no evidence (null: left out). */
function threatRaw(intel: IntelFacts): number | null {
  const anyVerdict =
    intel.maliciousMax !== null ||
    intel.suspiciousMax !== null ||
    intel.benignVerdicts > 0 ||
    intel.unknownVerdicts > 0;
  return anyVerdict ? threatIntelFactor(intel).raw : null;
}

function killChainPoints(tacticMask: number): number {
  const stages = attackStageCount(tacticMask);
  return stages >= KILL_CHAIN_MIN_STAGES
    ? Math.min(
        KILL_CHAIN_MAX_POINTS,
        KILL_CHAIN_POINTS_PER_STAGE * (stages - KILL_CHAIN_MIN_STAGES + 1),
      )
    : 0;
}

function routinePoints(facts: IncidentFacts): number {
  const routineShare = facts.alertCount > 0 ? facts.routine.alerts / facts.alertCount : 0;
  return routineShare > 0 ? -round1(ROUTINE_MAX_PENALTY * routineShare) : 0;
}

const contributionOf = (parts: ScoreParts, index: number): number =>
  round2((parts.raw[index] ?? 0) * (parts.weights[index] ?? 0));

/** The priority is the sum of the contributions and points the explanation shows, rounded. */
function priorityOf(parts: ScoreParts): number {
  let sum = parts.killChainPoints + parts.routinePoints + parts.feedbackPoints;
  for (let index = 0; index < FACTOR_ORDER.length; index += 1) sum += contributionOf(parts, index);
  return clamp(Math.round(sum), 0, 100);
}

/**
 * Scores an incident and explains the score, from one computation so the two cannot drift.
 * Factors: severity, business context, threat intel, confidence, freshness (raw 0-100 each,
 * weighted); adjustments: kill-chain progression (+5 per ATT&CK stage from the third, at
 * most +15) and routine noise (up to -30, by the share of routine repeats). Clamped to 0-100
 * and rounded to an integer. `now` is event time (the watermark), never a wall clock.
 */
export function scoreIncident(
  facts: IncidentFacts,
  context: ScoringContext,
  weights: ScoreWeights,
  now: EpochMs,
): IncidentScore {
  return prepareScore(facts, context, weights, now).explain();
}

/** A computed score whose explanation is written on demand, from the same computation. */
export interface PreparedScore {
  readonly priority: number;
  readonly explain: () => IncidentScore;
}

/**
 * The score with its explanation deferred: the correlator reads the priority first and pays
 * for the explanation's text only when the priority changed. `explain()` renders exactly the
 * parts the priority was computed from.
 */
export function prepareScore(
  facts: IncidentFacts,
  context: ScoringContext,
  weights: ScoreWeights,
  now: EpochMs,
): PreparedScore {
  const parts = computeParts(facts, context, weights, now);
  const priority = priorityOf(parts);
  return { priority, explain: () => explainScore(facts, parts, priority, context) };
}

function explainScore(
  facts: IncidentFacts,
  parts: ScoreParts,
  priority: number,
  context: ScoringContext,
): IncidentScore {
  const reasons = factorReasons(facts, parts, context);
  const factors: ScoreFactor[] = FACTOR_ORDER.map((name, index) => ({
    name,
    raw: parts.raw[index] ?? 0,
    weight: round2(parts.weights[index] ?? 0),
    contribution: contributionOf(parts, index),
    reason: reasons[index] ?? '',
  }));
  const adjustments: ScoreAdjustment[] = [];
  if (parts.killChainPoints !== 0) {
    const stages = attackStagesOf(facts.tacticMask).map((stage) => stage.name);
    adjustments.push({
      name: 'kill_chain',
      points: parts.killChainPoints,
      reason: `ATT&CK progression across ${stages.length} stages: ${stages.join(' → ')}`,
    });
  }
  if (parts.routinePoints !== 0) {
    const cv = facts.routine.intervalCv;
    adjustments.push({
      name: 'routine_noise',
      points: parts.routinePoints,
      reason:
        `${facts.routine.alerts} of ${facts.alertCount} alerts are routine repeats` +
        (facts.routine.rule === null ? '' : ` of rule ${facts.routine.rule}`) +
        ` (steady rhythm${cv === null ? '' : `, interval CV ${cv.toFixed(2)}`})`,
    });
  }
  if (facts.feedback !== undefined && facts.feedback !== null && parts.feedbackPoints !== 0) {
    const { reason } = feedbackAdjustment(facts.feedback, parts.feedbackBase);
    adjustments.push({ name: 'analyst_feedback', points: parts.feedbackPoints, reason });
  }
  const terms = [
    ...factors.map((factor) => `${factor.name} ${factor.contribution}`),
    ...adjustments.map(
      (adjustment) => `${adjustment.name} ${adjustment.points > 0 ? '+' : ''}${adjustment.points}`,
    ),
  ];
  return {
    priority,
    explanation: { factors, adjustments, summary: `priority ${priority} = ${terms.join(' + ')}` },
  };
}

/** The priority alone: `prepareScore(...).priority`. */
export function scoreIncidentPriority(
  facts: IncidentFacts,
  context: ScoringContext,
  weights: ScoreWeights,
  now: EpochMs,
): number {
  return priorityOf(computeParts(facts, context, weights, now));
}
