import type { AlertEntity, AnalystVerdict, EntityType } from '@soc/contracts';
import type { SuppressionRule } from '../correlation/policy';
import { fnv1a64Hex } from '../normalization/content-hash';

/** What a proposal reads of an alert row of the read model. */
export interface HistoryAlert {
  readonly ruleId: string | null;
  readonly entities: readonly AlertEntity[];
  readonly tactics: readonly string[];
}

/** An incident of the tenant's recent past, with the analyst's verdict if it has one. */
export interface HistoryIncident {
  readonly incidentId: string;
  readonly verdict: AnalystVerdict | null;
  readonly alerts: readonly HistoryAlert[];
}

/** `rule-entity`: one rule on one entity; `rule-type-tactic`: one rule, any entity of a type, in a tactic. */
export type PatternKind = 'rule-entity' | 'rule-type-tactic';

export interface SuppressionPreview {
  /** Past alerts the rule matches: they would have been recorded as AlertSuppressed instead. */
  readonly alerts: number;
  /** Past incidents every alert of which it matches: they would not have opened. */
  readonly incidentsFolded: number;
  /** Past incidents with at least one alert it matches. */
  readonly incidentsTouched: number;
  readonly falsePositives: number;
  /** Touched incidents an analyst called a true positive: the price of accepting. */
  readonly truePositives: number;
  readonly truePositiveIncidentIds: readonly string[];
}

export interface SuppressionProposal {
  readonly id: string;
  readonly kind: PatternKind;
  readonly description: string;
  readonly rule: SuppressionRule;
  readonly preview: SuppressionPreview;
}

export interface ProposalOptions {
  /** False-positive incidents a pattern needs before it is proposed. */
  readonly minFalsePositives: number;
  /** Share of the pattern's verdicted incidents that must be false positives. */
  readonly minFalsePositiveShare: number;
  readonly maxProposals: number;
  /** Ids already decided: suppressions in force and rejected proposals. */
  readonly decided: ReadonlySet<string>;
}

export const DEFAULT_PROPOSAL_OPTIONS: Omit<ProposalOptions, 'decided'> = {
  minFalsePositives: 5,
  minFalsePositiveShare: 0.9,
  maxProposals: 20,
};

interface Pattern {
  readonly kind: PatternKind;
  readonly ruleId: string;
  readonly type: EntityType;
  /** The entity value (rule-entity) or the tactic (rule-type-tactic). */
  readonly detail: string;
}

const keyOf = (p: Pattern): string => `${p.kind}\u0000${p.ruleId}\u0000${p.type}\u0000${p.detail}`;

/** The patterns one alert belongs to. */
function patternsOf(alert: HistoryAlert): Pattern[] {
  if (alert.ruleId === null) return [];
  const ruleId = alert.ruleId;
  const patterns: Pattern[] = [];
  const types = new Set<EntityType>();
  for (const entity of alert.entities) {
    patterns.push({ kind: 'rule-entity', ruleId, type: entity.type, detail: entity.value });
    types.add(entity.type);
  }
  for (const tactic of alert.tactics)
    for (const type of types)
      patterns.push({ kind: 'rule-type-tactic', ruleId, type, detail: tactic.toLowerCase() });
  return patterns;
}

function matches(pattern: Pattern, alert: HistoryAlert): boolean {
  if (alert.ruleId !== pattern.ruleId) return false;
  if (pattern.kind === 'rule-entity')
    return alert.entities.some((e) => e.type === pattern.type && e.value === pattern.detail);
  return (
    alert.entities.some((e) => e.type === pattern.type) &&
    alert.tactics.some((t) => t.toLowerCase() === pattern.detail)
  );
}

/** The suppression rule a pattern becomes: the proposal's id is the rule's id. */
function ruleOf(
  pattern: Pattern,
  { id, falsePositives }: { id: string; falsePositives: number },
): SuppressionRule {
  const entity = pattern.kind === 'rule-entity' ? pattern.detail : '*';
  return {
    id,
    reason: `${falsePositives} incidents of rule ${pattern.ruleId} on ${pattern.type} ${entity}${pattern.kind === 'rule-type-tactic' ? ` in ${pattern.detail}` : ''} were closed as false positives`,
    ruleIds: [pattern.ruleId],
    ruleNames: null,
    entities: [
      { type: pattern.type, value: pattern.kind === 'rule-entity' ? pattern.detail : '*' },
    ],
    tactics: pattern.kind === 'rule-type-tactic' ? [pattern.detail] : null,
    until: null,
  };
}

function previewOf(pattern: Pattern, history: readonly HistoryIncident[]): SuppressionPreview {
  let alerts = 0;
  let incidentsFolded = 0;
  let incidentsTouched = 0;
  let falsePositives = 0;
  const truePositiveIncidentIds: string[] = [];
  for (const incident of history) {
    const hit = incident.alerts.filter((alert) => matches(pattern, alert)).length;
    if (hit === 0) continue;
    alerts += hit;
    incidentsTouched += 1;
    if (hit === incident.alerts.length) incidentsFolded += 1;
    if (incident.verdict === 'false_positive') falsePositives += 1;
    if (incident.verdict === 'true_positive') truePositiveIncidentIds.push(incident.incidentId);
  }
  return {
    alerts,
    incidentsFolded,
    incidentsTouched,
    falsePositives,
    truePositives: truePositiveIncidentIds.length,
    truePositiveIncidentIds,
  };
}

/** Patterns with enough false-positive incidents, each counted once per incident. */
function candidatePatterns(
  history: readonly HistoryIncident[],
  minFalsePositives: number,
): Pattern[] {
  const counts = new Map<string, { pattern: Pattern; incidents: number }>();
  for (const incident of history) {
    if (incident.verdict !== 'false_positive') continue;
    const seen = new Set<string>();
    for (const alert of incident.alerts)
      for (const pattern of patternsOf(alert)) {
        const key = keyOf(pattern);
        if (seen.has(key)) continue;
        seen.add(key);
        const entry = counts.get(key) ?? { pattern, incidents: 0 };
        entry.incidents += 1;
        counts.set(key, entry);
      }
  }
  return [...counts.values()].filter((c) => c.incidents >= minFalsePositives).map((c) => c.pattern);
}

/**
 * Suppression proposals from the analysts' verdicts: a pattern (a rule on one entity, or a
 * rule on any entity of a type in one tactic) whose incidents were closed as false positives
 * again and again, with a preview of what it would have folded in `history` and which true
 * positives it would have hidden. Patterns already decided (`options.decided`) are left out.
 * Ordered by false positives, then fewest true positives, then the narrower rule; ids are a
 * hash of the pattern, so the same history proposes the same ids. Pure.
 */
export function proposeSuppressions(
  history: readonly HistoryIncident[],
  options: ProposalOptions,
): SuppressionProposal[] {
  const proposals: SuppressionProposal[] = [];
  for (const pattern of candidatePatterns(history, options.minFalsePositives)) {
    const id = `fp-${fnv1a64Hex(keyOf(pattern))}`;
    if (options.decided.has(id)) continue;
    const preview = previewOf(pattern, history);
    const verdicted = preview.falsePositives + preview.truePositives;
    if (preview.falsePositives < options.minFalsePositiveShare * verdicted) continue;
    const rule = ruleOf(pattern, { id, falsePositives: preview.falsePositives });
    proposals.push({ id, kind: pattern.kind, description: rule.reason, rule, preview });
  }
  return proposals
    .sort(
      (a, b) =>
        b.preview.falsePositives - a.preview.falsePositives ||
        a.preview.truePositives - b.preview.truePositives ||
        a.preview.alerts - b.preview.alerts ||
        a.id.localeCompare(b.id),
    )
    .slice(0, options.maxProposals);
}
