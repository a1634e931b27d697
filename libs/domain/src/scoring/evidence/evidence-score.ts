import {
  ROUTINE_MIN_FIRINGS,
  type CommonFinding,
  type EvidenceTally,
  type RareFinding,
} from './incident-evidence';
import { BASELINE_MATURITY_MS } from './rarity';

/** Points past which the evidence factor is near its top: `100 * (1 - e^-points/scale)`. */
export const EVIDENCE_SCALE = 40;
/** Each further rare rule adds half its surprise, at most this many nats. */
const FURTHER_FINDING_CAP = 8;
const AGREEMENT_POINTS = 3;
const SPREAD_POINTS = 2;
const SPREAD_MAX_ENTITIES = 5;

export interface EvidenceScore {
  /** 0-100; null when the incident's alerts had no baseline to be judged against. */
  readonly raw: number | null;
  readonly points: number;
  readonly reason: string;
}

const round1 = (value: number): number => Math.round(value * 10) / 10;
const count = (value: number): string =>
  String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const times = (value: number): string => {
  const rounded = Math.round(value);
  return rounded === 1 ? 'once' : `${count(rounded)} times`;
};
const entityWords = (entityKey: string): string => {
  const colon = entityKey.indexOf(':');
  return colon < 0 ? entityKey : `${entityKey.slice(0, colon)} ${entityKey.slice(colon + 1)}`;
};

/** Hosts and users (not their addresses) that rare findings name: the spread of the activity. */
function spreadOf(findings: readonly RareFinding[]): number {
  const entities = new Set<string>();
  for (const finding of findings)
    if (finding.entityKey.startsWith('host:') || finding.entityKey.startsWith('user:'))
      entities.add(finding.entityKey);
  return Math.min(SPREAD_MAX_ENTITIES, entities.size);
}

/** The baseline's age in words: `3.5 h`. */
const baselineAge = (maturity: number): string =>
  `${round1((maturity * BASELINE_MATURITY_MS) / 3_600_000)} h`;

function commonWords(common: CommonFinding): string {
  const where = entityWords(common.entityKey);
  const seen = `rule ${common.rule} seen ${times(common.ruleOnEntity)} in ${count(common.entityAlerts)} alerts on ${where}`;
  if (common.tooYoung)
    return `little history: the tenant's baseline is only ${baselineAge(common.maturity)} old, too young to call ${seen} rare`;
  if (common.routine) return `nothing unusual: ${seen}, on a steady rhythm: routine`;
  if (Math.round(common.ruleOnEntity) >= ROUTINE_MIN_FIRINGS)
    return `nothing unusual: ${seen}: routine`;
  if (Math.round(common.ruleOnEntity) === 0)
    return `little history: rule ${common.rule} new on ${where} after only ${count(common.entityAlerts)} alerts there, too few to call it rare`;
  return `little history: ${seen}, too little to call it rare`;
}

/**
 * A rule that has fired this often on its entity (decayed) is known there, however small its
 * share of the entity's alerts: on a loud host (the firewall, a server after a brute force)
 * every secondary rule is under 2 % of the volume, yet one seen a hundred times this week is
 * the host's everyday activity. An incident whose every rare rule is known where it fired
 * carries nothing new; beside a new rule the known ones still count, as the rest of the picture.
 */
export const KNOWN_FIRINGS = ROUTINE_MIN_FIRINGS;

const isKnownThere = (finding: RareFinding): boolean =>
  Math.round(finding.ruleOnEntity) >= KNOWN_FIRINGS;

/** The rules that made an incident stand out: rare where they fired and not known there. */
export const standoutRulesOf = (evidence: EvidenceTally): string[] =>
  evidence.findings.filter((finding) => !isKnownThere(finding)).map((finding) => finding.rule);

function knownWords(finding: RareFinding): string {
  const seen = `rule ${finding.rule} seen ${times(finding.ruleOnEntity)} in ${count(finding.entityAlerts)} alerts on ${entityWords(finding.entityKey)}`;
  return `nothing new: ${seen}, a small share of a busy entity's alerts but known there`;
}

function findingWords(finding: RareFinding): string {
  const where = entityWords(finding.entityKey);
  const found =
    finding.ruleOnEntity < 0.5
      ? `rule ${finding.rule} new on ${where} (after ${count(finding.entityAlerts)} alerts there)`
      : `rule ${finding.rule} ${times(finding.ruleOnEntity)} in ${count(finding.entityAlerts)} alerts on ${where}`;
  if (finding.maturity >= 1) return found;
  const weighed = Math.round(finding.maturity * 100);
  return `${found}, weighed ${weighed} % (the tenant's baseline is ${baselineAge(finding.maturity)} old)`;
}

/**
 * The evidence factor of an incident: how unusual its rules are where they fired (surprise
 * against the tenant's learned baseline), how many detectors report the unusual part, and how
 * many hosts and users it touches. A routine incident scores near 0, and so does one whose
 * every rare rule is known where it fired (KNOWN_FIRINGS); an incident of several rules new to
 * their hosts from several detectors near 100.
 */
export function evidenceScore(evidence: EvidenceTally): EvidenceScore {
  const { findings, detectors, common } = evidence;
  const leastKnown = findings[0];
  if (leastKnown !== undefined && findings.every(isKnownThere))
    return { raw: 0, points: 0, reason: knownWords(leastKnown) };
  if (findings.length === 0) {
    if (common === null)
      return { raw: null, points: 0, reason: 'no baseline yet for these entities: not counted' };
    return { raw: 0, points: 0, reason: commonWords(common) };
  }
  let points = 0;
  findings.forEach((finding, index) => {
    points += index === 0 ? finding.surprise : Math.min(FURTHER_FINDING_CAP, finding.surprise) / 2;
  });
  const agreeing = detectors.length;
  const spread = spreadOf(findings);
  points += AGREEMENT_POINTS * Math.max(0, agreeing - 1) + SPREAD_POINTS * Math.max(0, spread - 1);
  const raw = round1(100 * (1 - Math.exp(-points / EVIDENCE_SCALE)));
  const shown = findings.slice(0, 3).map(findingWords);
  const more = findings.length > 3 ? ` and ${findings.length - 3} more rare rules` : '';
  const agreement = agreeing > 1 ? `; ${agreeing} detectors agree (${detectors.join(', ')})` : '';
  const hosts = spread > 1 ? `; on ${spread} hosts and users` : '';
  return { raw, points: round1(points), reason: `${shown.join('; ')}${more}${agreement}${hosts}` };
}
