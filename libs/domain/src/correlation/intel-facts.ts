import type { DecisiveIntel, IntelFacts } from '../scoring';
import type { OpenIncident, RememberedVerdict } from './state';
import { intelOf, type IncidentTally } from './tally';

const STRENGTH = { malicious: 3, suspicious: 2, benign: 1, unknown: 0 } as const;

/** Stronger label first, then the higher score, then provider and indicator (a total order). */
function stronger(a: RememberedVerdict, b: RememberedVerdict): boolean {
  if (STRENGTH[a.verdict] !== STRENGTH[b.verdict]) return STRENGTH[a.verdict] > STRENGTH[b.verdict];
  if (a.score !== b.score) return a.score > b.score;
  if (a.provider !== b.provider) return a.provider < b.provider;
  return a.indicator < b.indicator;
}

function* verdictsOf(
  group: readonly OpenIncident[],
  applying: readonly RememberedVerdict[],
): Generator<RememberedVerdict> {
  const seen = new Set<string>();
  // The ones being applied are newer than what the group holds for their provider and indicator.
  for (const verdict of applying) {
    seen.add(`${verdict.provider}|${verdict.kind}:${verdict.indicator}`);
    yield verdict;
  }
  for (const incident of group)
    for (const [key, byProvider] of incident.intel ?? [])
      for (const [provider, verdict] of byProvider) {
        if (seen.has(`${provider}|${key}`)) continue;
        seen.add(`${provider}|${key}`);
        yield verdict;
      }
}

function holdsVerdicts(group: readonly OpenIncident[]): boolean {
  for (const incident of group) if (incident.intel !== null && incident.intel.size > 0) return true;
  return false;
}

/**
 * Scoring's intel facts of a group: the verdicts its alerts carried (the tally) and those
 * applied from `soc.intel.v1`, with the strongest applied one as `decisive` when it is the one
 * the factor's score comes from, so the reason quotes its provider and evidence.
 */
export function intelFactsOf({
  tally,
  group,
  applying = [],
}: {
  readonly tally: IncidentTally;
  readonly group: readonly OpenIncident[];
  readonly applying?: readonly RememberedVerdict[] | undefined;
}): IntelFacts {
  const carried = intelOf(tally);
  // Most scores have no verdict to weigh beyond what the alerts carried: nothing to walk.
  if (applying.length === 0 && !holdsVerdicts(group)) return carried;
  let { maliciousMax, suspiciousMax, benignVerdicts, unknownVerdicts } = carried;
  let decisive: RememberedVerdict | null = null;
  for (const verdict of verdictsOf(group, applying)) {
    if (decisive === null || stronger(verdict, decisive)) decisive = verdict;
    if (verdict.verdict === 'malicious') maliciousMax = Math.max(maliciousMax ?? 0, verdict.score);
    else if (verdict.verdict === 'suspicious')
      suspiciousMax = Math.max(suspiciousMax ?? 0, verdict.score);
    else if (verdict.verdict === 'benign') benignVerdicts += 1;
    else unknownVerdicts += 1;
  }
  if (decisive === null) return carried;
  return {
    maliciousMax,
    suspiciousMax,
    benignVerdicts,
    unknownVerdicts,
    decisive: decidesScore(decisive, { maliciousMax, suspiciousMax }) ? decisiveOf(decisive) : null,
  };
}

function decidesScore(
  verdict: RememberedVerdict,
  maxima: Pick<IntelFacts, 'maliciousMax' | 'suspiciousMax'>,
): boolean {
  if (verdict.verdict === 'malicious') return maxima.maliciousMax === verdict.score;
  if (verdict.verdict === 'suspicious')
    return maxima.maliciousMax === null && maxima.suspiciousMax === verdict.score;
  return (
    verdict.verdict === 'benign' && maxima.maliciousMax === null && maxima.suspiciousMax === null
  );
}

const decisiveOf = ({
  provider,
  indicator,
  verdict,
  score,
  evidence,
}: RememberedVerdict): DecisiveIntel => ({
  provider,
  indicator,
  verdict,
  score,
  evidence,
});
