import { evictionCursor, deleteOldest, type EvictionCursor } from '../oldest-first';
import type { AlertEntity, AnalystVerdict } from '@soc/contracts';

/*
 * The per-tenant feedback model: what analysts said about past incidents, counted per rule,
 * per rule and entity, and per pattern (rule, entity type, tactic). Each incident counts once,
 * with its latest verdict and correction, so a repeated or changed verdict replaces the old
 * one instead of adding to it. A plain fold: the same verdicts in the same order give the
 * same model, and a correlator rebuilds it from the FeedbackApplied events of its log.
 */

/** How an analyst's verdict counts: a real attack, or noise (false and benign positives). */
export type FeedbackLabel = 'tp' | 'fp';

export const labelOfVerdict = (verdict: AnalystVerdict): FeedbackLabel =>
  verdict === 'true_positive' ? 'tp' : 'fp';

/** What an incident's verdict is about: the rules, entities and tactics it held. */
export interface FeedbackPattern {
  readonly rules: readonly string[];
  readonly entities: readonly AlertEntity[];
  readonly tactics: readonly string[];
}

/** One incident's feedback, as the model keeps it. */
export interface IncidentFeedback {
  readonly incidentId: string;
  readonly analyst: string;
  readonly label: FeedbackLabel | null;
  readonly correctPriority: number | null;
  readonly pattern: FeedbackPattern;
}

/** Counts of one key: verdicts by analyst (for the per-analyst cap) and corrections. */
export interface KeyCounts {
  tp: number;
  fp: number;
  /** False-positive verdicts per analyst. */
  readonly fpByAnalyst: Map<string, number>;
  corrections: number;
  correctionSum: number;
}

export interface FeedbackModel {
  /** Incidents with feedback, oldest first: the bound evicts from the front. */
  readonly incidents: Map<string, IncidentFeedback>;
  readonly counts: Map<string, KeyCounts>;
  /** Where eviction from `incidents` resumes (see oldest-first.ts). */
  readonly eviction: EvictionCursor<string>;
}

/** Incidents a tenant's model remembers; the oldest feedback is forgotten first. */
export const MAX_FEEDBACK_INCIDENTS = 20_000;
/** A pattern counts this many rules and entities of an incident (in the incident's order). */
export const MAX_PATTERN_RULES = 8;
export const MAX_PATTERN_ENTITIES = 16;
export const MAX_PATTERN_TACTICS = 4;

export const newFeedbackModel = (): FeedbackModel => ({
  incidents: new Map(),
  counts: new Map(),
  eviction: evictionCursor(),
});

const NO_TACTIC = '-';

export const ruleKey = (rule: string): string => `rule|${rule}`;
export const ruleEntityKey = (rule: string, entity: Pick<AlertEntity, 'type' | 'value'>): string =>
  `rule-entity|${rule}|${entity.type}:${entity.value}`;
export const patternKey = (rule: string, entityType: string, tactic: string): string =>
  `pattern|${rule}|${entityType}|${tactic}`;

/** The pattern as feedback keeps it: bounded, duplicates out, in the incident's order. */
export function boundedPattern(pattern: FeedbackPattern): FeedbackPattern {
  const entities: AlertEntity[] = [];
  const seen = new Set<string>();
  for (const entity of pattern.entities) {
    const key = `${entity.type}:${entity.value}`;
    if (seen.has(key)) continue;
    if (entities.length >= MAX_PATTERN_ENTITIES) break;
    seen.add(key);
    entities.push(entity);
  }
  return {
    rules: [...new Set(pattern.rules)].slice(0, MAX_PATTERN_RULES),
    entities,
    tactics: [...new Set(pattern.tactics)].slice(0, MAX_PATTERN_TACTICS),
  };
}

/** Every key an incident's feedback counts under: each rule, each rule and entity, each pattern. */
export function keysOfPattern(pattern: FeedbackPattern): string[] {
  const keys: string[] = [];
  const types = [...new Set(pattern.entities.map((entity) => entity.type))];
  const tactics = pattern.tactics.length > 0 ? pattern.tactics : [NO_TACTIC];
  for (const rule of pattern.rules) {
    keys.push(ruleKey(rule));
    for (const entity of pattern.entities) keys.push(ruleEntityKey(rule, entity));
    for (const type of types)
      for (const tactic of tactics) keys.push(patternKey(rule, type, tactic));
  }
  return keys;
}

/** The pattern keys of one rule of an incident, as the assessment reads them. */
export function patternKeysOf(rule: string, pattern: FeedbackPattern): string[] {
  const types = [...new Set(pattern.entities.map((entity) => entity.type))];
  const tactics = pattern.tactics.length > 0 ? pattern.tactics : [NO_TACTIC];
  const keys: string[] = [];
  for (const type of types) for (const tactic of tactics) keys.push(patternKey(rule, type, tactic));
  return keys;
}

function count(model: FeedbackModel, feedback: IncidentFeedback, sign: 1 | -1): void {
  for (const key of keysOfPattern(feedback.pattern)) {
    let counts = model.counts.get(key);
    if (counts === undefined) {
      if (sign < 0) continue;
      counts = { tp: 0, fp: 0, fpByAnalyst: new Map(), corrections: 0, correctionSum: 0 };
      model.counts.set(key, counts);
    }
    if (feedback.label === 'tp') counts.tp += sign;
    else if (feedback.label === 'fp') {
      counts.fp += sign;
      const byAnalyst = (counts.fpByAnalyst.get(feedback.analyst) ?? 0) + sign;
      if (byAnalyst > 0) counts.fpByAnalyst.set(feedback.analyst, byAnalyst);
      else counts.fpByAnalyst.delete(feedback.analyst);
    }
    if (feedback.correctPriority !== null) {
      counts.corrections += sign;
      counts.correctionSum += sign * feedback.correctPriority;
    }
    if (counts.tp <= 0 && counts.fp <= 0 && counts.corrections <= 0) model.counts.delete(key);
  }
}

/**
 * Folds one incident's feedback into the model, in place: it replaces what the model held for
 * the incident (a verdict keeps a correction given before, and the other way round), and the
 * oldest incident is forgotten past MAX_FEEDBACK_INCIDENTS. Returns whether anything changed.
 */
export function recordFeedback(model: FeedbackModel, feedback: IncidentFeedback): boolean {
  const held = model.incidents.get(feedback.incidentId);
  const merged: IncidentFeedback = {
    incidentId: feedback.incidentId,
    analyst: feedback.analyst,
    label: feedback.label ?? held?.label ?? null,
    correctPriority: feedback.correctPriority ?? held?.correctPriority ?? null,
    pattern: boundedPattern(feedback.pattern),
  };
  if (held !== undefined && sameFeedback(held, merged)) return false;
  if (held !== undefined) {
    count(model, held, -1);
    model.incidents.delete(held.incidentId);
  }
  model.incidents.set(merged.incidentId, merged);
  count(model, merged, 1);
  while (model.incidents.size > MAX_FEEDBACK_INCIDENTS) {
    const oldest = deleteOldest(model.incidents, model.eviction);
    if (oldest === undefined) break;
    count(model, oldest[1], -1);
  }
  return true;
}

const sameFeedback = (a: IncidentFeedback, b: IncidentFeedback): boolean =>
  a.analyst === b.analyst &&
  a.label === b.label &&
  a.correctPriority === b.correctPriority &&
  keysOfPattern(a.pattern).join('\n') === keysOfPattern(b.pattern).join('\n');
