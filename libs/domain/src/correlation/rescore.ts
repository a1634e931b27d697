import type { AlertEntity, EpochMs, ScoreExplanation } from '@soc/contracts';
import {
  addEvidence,
  NO_EVIDENCE,
  ATTACK_STAGES,
  attackStageOf,
  prepareScore,
  type IncidentFacts,
  type RoutineFacts,
} from '../scoring';
import { assessFeedback } from '../feedback';
import type { DecidedAlert } from './alert-input';
import { patternOf } from './feedback-pattern';
import { CORRELATION_ACTORS as ACTOR, type Decision } from './context';
import { ruleLabelOf } from './entity-keys';
import { largestOf } from './lookups';
import {
  hasRule,
  lastSeenOf,
  MAX_SCORED_ENTITIES,
  ruleCount,
  seriesSize,
  type OpenIncident,
  type RememberedVerdict,
  type RepeatSeries,
} from './state';
import { intelFactsOf } from './intel-facts';
import { addInto, runningTally, tallyOf } from './tally';

/** Adjustments a flush makes to an incident's facts before its repeats are folded in. */
export interface FlushFacts {
  readonly addedRepeats: number;
  readonly routine: RoutineFacts;
}

export interface ScoredSubject {
  readonly id: string;
  readonly sequence: number;
  readonly priority: number | null;
  readonly escalated: boolean;
}

/** What an incident would be after the decision, computed without touching the state. */
export interface WhatIf {
  readonly subject: ScoredSubject;
  /** The incidents it is made of (merged ones too, oldest first); empty for a new incident. */
  readonly group: readonly OpenIncident[];
  /** The alert row joining it, if any. */
  readonly row?: DecidedAlert;
  readonly flush?: FlushFacts;
  /** Event time of the score; the decision's `now` unless given. */
  readonly at?: EpochMs;
  /** Threat-intel verdicts this decision applies, beside those the group holds. */
  readonly intel?: readonly RememberedVerdict[];
  /** Emit IncidentScored even when the priority is unchanged (its explanation changed). */
  readonly explanationChanged?: boolean;
}

/**
 * Scores the subject and emits IncidentScored when the priority changed (always at open), and
 * IncidentEscalated the first time it reaches the threshold. Returns the new priority, or
 * null when unchanged.
 */
export function rescore(ctx: Decision, whatIf: WhatIf): number | null {
  const { subject, group, row } = whatIf;
  const at = whatIf.at ?? ctx.now;
  const { weights, highPriorityThreshold } = ctx.policy.scoring;
  const facts = withFeedback(ctx, whatIf, factsOf(ctx, whatIf));
  const prepared = prepareScore(facts, ctx.scoring, weights, at);
  if (prepared.priority === subject.priority && whatIf.explanationChanged !== true) return null;
  const scored: { priority: number; explanation: ScoreExplanation } = prepared.explain();
  const data = {
    incidentId: subject.id,
    priority: scored.priority,
    previousPriority: subject.priority,
    explanation: scored.explanation,
    alertCount: facts.alertCount,
    distinctRules: facts.distinctRules,
    tactics: tacticsOf(group, row, facts.tacticMask),
    entities: distinctEntities(group, row),
  };
  ctx.emit(subject, 'IncidentScored', data, { actor: ACTOR.scoring, at });
  if (!subject.escalated && scored.priority >= highPriorityThreshold) {
    const escalated = {
      incidentId: subject.id,
      priority: scored.priority,
      threshold: highPriorityThreshold,
    };
    ctx.emit(subject, 'IncidentEscalated', escalated, { actor: ACTOR.escalation, at });
  }
  return scored.priority;
}

/** What the tenant's analysts said about the pattern, when they said anything yet. */
function withFeedback(ctx: Decision, { group, row }: WhatIf, facts: IncidentFacts): IncidentFacts {
  const model = ctx.tenant?.feedback;
  if (model === undefined || model.counts.size === 0) return facts;
  return { ...facts, feedback: assessFeedback(model, patternOf(group, row)) };
}

/** The facts of the group (merged, oldest first) plus the row, from their tallies. */
function factsOf(ctx: Decision, { group, row, flush, intel }: WhatIf): IncidentFacts {
  const tally = runningTally();
  let evidence = NO_EVIDENCE;
  let lastSeen = -Infinity;
  const entities: (readonly AlertEntity[])[] = [];
  for (const incident of group) {
    addInto(tally, incident.tally);
    evidence = addEvidence(evidence, incident.evidence);
    if (lastSeenOf(incident) > lastSeen) lastSeen = lastSeenOf(incident);
    entities.push(incident.entities);
  }
  if (row !== undefined) {
    addInto(tally, tallyOf(row.summary));
    evidence = addEvidence(evidence, ctx.rowEvidence(row));
    if (row.summary.observedAt > lastSeen) lastSeen = row.summary.observedAt;
    entities.push(row.summary.entities);
  }
  if (flush !== undefined) tally.alertCount += flush.addedRepeats;
  const { distinctRules, entityCount } = breadthOf(group, row);
  return {
    alertCount: tally.alertCount,
    maxSeverity: tally.severityMax,
    meanSeverity: tally.rows > 0 ? tally.severitySum / tally.rows : 0,
    distinctRules,
    tacticMask: tally.tacticMask,
    entityCount,
    entities,
    intel: intelFactsOf({ tally, group, applying: intel }),
    meanConfidence: tally.confidenceCount > 0 ? tally.confidenceSum / tally.confidenceCount : null,
    lastSeen,
    routine: flush?.routine ?? routineOf(group),
    evidence,
  };
}

/** Distinct rules and entities of the group plus the row. */
function breadthOf(
  group: readonly OpenIncident[],
  row: DecidedAlert | undefined,
): { readonly distinctRules: number; readonly entityCount: number } {
  const alertKeys = row?.keys.entityKeys ?? [];
  if (group.length === 0)
    return { distinctRules: row === undefined ? 0 : 1, entityCount: alertKeys.length };
  if (group.length === 1) {
    const only = group[0] as OpenIncident;
    let entityCount = only.entities.length;
    for (const key of alertKeys) if (!only.links.has(key)) entityCount += 1;
    const newRule = row !== undefined && !hasRule(only, ruleLabelOf(row.summary));
    return { distinctRules: ruleCount(only) + (newRule ? 1 : 0), entityCount };
  }
  // A merge: count against the largest incident, so a merge into a big incident costs the
  // size of the small ones.
  const base = largestOf(group);
  const rules = new Set<string>();
  const entityKeys = new Set<string>();
  const addRule = (rule: string): void => {
    if (!hasRule(base, rule)) rules.add(rule);
  };
  for (const incident of group) {
    if (incident === base) continue;
    if (incident.rules === null) addRule(incident.rule);
    else for (const rule of incident.rules) addRule(rule);
    for (const key of incident.links.keys())
      if (!key.startsWith('repeat|') && !base.links.has(key)) entityKeys.add(key);
  }
  if (row !== undefined) addRule(ruleLabelOf(row.summary));
  for (const key of alertKeys) if (!base.links.has(key)) entityKeys.add(key);
  return {
    distinctRules: ruleCount(base) + rules.size,
    entityCount: base.entities.length + entityKeys.size,
  };
}

const NO_ROUTINE: RoutineFacts = { alerts: 0, rule: null, intervalCv: null };

/** Routine facts of the group: its routine alerts and the largest routine series. */
export function routineOf(group: readonly OpenIncident[]): RoutineFacts {
  let routineAlerts = 0;
  for (const incident of group) routineAlerts += incident.routineAlerts;
  if (routineAlerts === 0) return NO_ROUTINE;
  let lead: RepeatSeries | null = null;
  for (const incident of group) {
    const candidate = incident.routineLead;
    if (candidate !== null && (lead === null || seriesSize(candidate) > seriesSize(lead)))
      lead = candidate;
  }
  return { alerts: routineAlerts, rule: lead?.rule ?? null, intervalCv: lead?.intervalCv ?? null };
}

/** Routine facts from a routine alert count and a lead series' rule and interval CV. */
export const routineFacts = (
  alerts: number,
  lead: { readonly rule: string; readonly intervalCv: number | null } | null,
): RoutineFacts =>
  alerts === 0
    ? NO_ROUTINE
    : { alerts, rule: lead?.rule ?? null, intervalCv: lead?.intervalCv ?? null };

/** ATT&CK tactic ids in kill-chain order, then other tactics as given. */
function tacticsOf(
  group: readonly OpenIncident[],
  row: DecidedAlert | undefined,
  mask: number,
): string[] {
  const tactics: string[] = [];
  ATTACK_STAGES.forEach((stage, index) => {
    if ((mask & (1 << index)) !== 0) tactics.push(stage.id);
  });
  for (const incident of group)
    for (const tactic of incident.otherTactics) if (!tactics.includes(tactic)) tactics.push(tactic);
  if (row !== undefined) {
    for (const tactic of row.summary.tactics)
      if (attackStageOf(tactic) < 0 && !tactics.includes(tactic)) tactics.push(tactic);
  }
  return tactics;
}

/** The incident's distinct entities with the row's, at most MAX_SCORED_ENTITIES. */
function distinctEntities(
  group: readonly OpenIncident[],
  row: DecidedAlert | undefined,
): AlertEntity[] {
  const entities: AlertEntity[] = [];
  const fresh = row?.keys.entities ?? [];
  if (group.length <= 1) {
    const only = group[0];
    if (only !== undefined)
      for (const entity of only.entities)
        if (entities.length < MAX_SCORED_ENTITIES) entities.push(entity);
    for (const { key, entity } of fresh) {
      if (entities.length >= MAX_SCORED_ENTITIES) break;
      if (only === undefined || !only.links.has(key)) entities.push(entity);
    }
    return entities;
  }
  const base = largestOf(group);
  for (const entity of base.entities) {
    if (entities.length >= MAX_SCORED_ENTITIES) return entities;
    entities.push(entity);
  }
  const seen = new Set<string>();
  const add = (entity: AlertEntity, key: string): void => {
    if (seen.has(key) || base.links.has(key) || entities.length >= MAX_SCORED_ENTITIES) return;
    seen.add(key);
    entities.push(entity);
  };
  for (const incident of group) {
    if (incident === base) continue;
    for (const link of incident.links.values())
      if (link.entity !== null) add(link.entity, link.key);
  }
  for (const { key, entity } of fresh) add(entity, key);
  return entities;
}
