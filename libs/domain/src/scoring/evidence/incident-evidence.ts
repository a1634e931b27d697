import type { FiringRarity } from './rarity';
import { unionDetectors } from './detectors';

/** A rule that was rare where it fired, as the incident remembers it for its score and words. */
export interface RareFinding {
  readonly rule: string;
  readonly entityKey: string;
  readonly detector: string;
  /** Nats; see FiringRarity.surprise. */
  readonly surprise: number;
  readonly ruleOnEntity: number;
  readonly entityAlerts: number;
  /** See baselineMaturity: below 1 the surprise was weighed down by the baseline's youth. */
  readonly maturity: number;
  /** Nats of the rule in the whole tenant; see FiringRarity.tenantSurprise. */
  readonly tenantSurprise: number;
  /** Decayed firings of the rule in the whole tenant before this one. */
  readonly ruleInTenant: number;
}

/** The commonest firing of the incident: what makes it look routine, in the explanation. */
export interface CommonFinding {
  readonly rule: string;
  readonly entityKey: string;
  readonly ruleOnEntity: number;
  readonly entityAlerts: number;
  readonly routine: boolean;
  readonly maturity: number;
  /** It would have been rare, had the tenant's baseline been old enough to trust. */
  readonly tooYoung: boolean;
}

/**
 * The evidence an incident's alert rows carried when they arrived, against the tenant's
 * baseline at that moment: bounded (a few findings), and added up like the rest of the tally.
 */
export interface EvidenceTally {
  /** Rare findings, one per rule, most surprising first, at most MAX_FINDINGS. */
  readonly findings: readonly RareFinding[];
  /** Detectors that reported rare findings. */
  readonly detectors: readonly string[];
  readonly common: CommonFinding | null;
  /** Some row came from a detector whose severities vary (see severity-range). */
  readonly severityVaries: boolean;
}

export const NO_EVIDENCE: EvidenceTally = {
  findings: [],
  detectors: [],
  common: null,
  severityVaries: false,
};
export const MAX_FINDINGS = 16;
/** Below this many firings on its entity a rule that is not rare is not yet called routine either. */
export const ROUTINE_MIN_FIRINGS = 10;
/** Rare: the rule is under 2 % of what its entity usually raises (`ln 50` nats). */
export const RARE_SURPRISE = Math.log(50);

/** The evidence of one alert row. */
export function evidenceOf(
  rarity: FiringRarity,
  { rule, detector }: { readonly rule: string; readonly detector: string },
): EvidenceTally {
  // An entity without history has no baseline yet: that says nothing either way.
  if (rarity.entityKey === null || rarity.entityAlerts < 1) return NO_EVIDENCE;
  if (rarity.surprise >= RARE_SURPRISE) {
    const finding: RareFinding = {
      rule,
      entityKey: rarity.entityKey,
      detector,
      surprise: rarity.surprise,
      ruleOnEntity: rarity.ruleOnEntity,
      entityAlerts: rarity.entityAlerts,
      maturity: rarity.maturity,
      tenantSurprise: rarity.tenantSurprise,
      ruleInTenant: rarity.ruleInTenant,
    };
    return { findings: [finding], detectors: [detector], common: null, severityVaries: false };
  }
  return {
    findings: [],
    detectors: [],
    common: {
      rule,
      entityKey: rarity.entityKey,
      ruleOnEntity: rarity.ruleOnEntity,
      entityAlerts: rarity.entityAlerts,
      routine: rarity.routine,
      maturity: rarity.maturity,
      tooYoung: rarity.unweighedSurprise >= RARE_SURPRISE,
    },
    severityVaries: false,
  };
}

function mergeFindings(a: readonly RareFinding[], b: readonly RareFinding[]): RareFinding[] {
  const byRule = new Map<string, RareFinding>();
  for (const finding of [...a, ...b]) {
    const known = byRule.get(finding.rule);
    if (known === undefined || finding.surprise > known.surprise) byRule.set(finding.rule, finding);
  }
  return [...byRule.values()]
    .sort((x, y) => y.surprise - x.surprise || (x.rule < y.rule ? -1 : x.rule > y.rule ? 1 : 0))
    .slice(0, MAX_FINDINGS);
}

/** Both tallies together (a new row, or a merge). */
export function addEvidence(a: EvidenceTally, b: EvidenceTally): EvidenceTally {
  if (b === NO_EVIDENCE) return a;
  if (a === NO_EVIDENCE) return b;
  const common =
    a.common === null || (b.common !== null && b.common.ruleOnEntity > a.common.ruleOnEntity)
      ? b.common
      : a.common;
  return {
    findings: b.findings.length === 0 ? a.findings : mergeFindings(a.findings, b.findings),
    detectors: unionDetectors(a.detectors, b.detectors),
    common,
    severityVaries: a.severityVaries || b.severityVaries,
  };
}
