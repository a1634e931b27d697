import type { IncidentFacts, ScoreParts, ScoringContext } from './score';
import { threatIntelFactor } from './threat-intel-factor';

const round1 = (value: number): number => Math.round(value * 10) / 10;

/**
 * Why each factor has its value, in words an analyst reads, in factor order. A factor left
 * out for want of evidence says so.
 */
export function factorReasons(
  facts: IncidentFacts,
  parts: ScoreParts,
  context: ScoringContext,
): string[] {
  const alerts = facts.alertCount === 1 ? '1 alert' : `${facts.alertCount} alerts`;
  const severity =
    parts.raw[0] === null
      ? `every detector here has sent one severity for everything so far: not counted`
      : `max severity ${round1(facts.maxSeverity)}, mean ${round1(facts.meanSeverity)} over ${alerts}` +
        (parts.ruleBreadth > 0
          ? `; ${facts.distinctRules} distinct rules add ${parts.ruleBreadth}`
          : '');

  const entity = parts.criticalEntity;
  let business = parts.assetFound
    ? `highest criticality ${parts.criticality} of 5 (${entity === null ? 'asset' : `${entity.type} ${entity.value}`})`
    : "no inventory entry for the incident's entities: not counted";
  if (parts.crownJewelPoints > 0) business += `; crown jewel +${parts.crownJewelPoints}`;
  if (parts.internetFacingPoints > 0)
    business += `; internet-facing +${parts.internetFacingPoints}`;
  if (parts.entityBreadth > 0)
    business += `; ${facts.entityCount} entities involved +${parts.entityBreadth}`;

  const threat =
    parts.raw[2] === null
      ? 'no threat-intel verdict: not counted'
      : threatIntelFactor(facts.intel).reason;

  const stated =
    facts.meanConfidence === null ? null : `mean source confidence ${round1(facts.meanConfidence)}`;
  const confidence =
    parts.learned.raw === null
      ? (stated ??
        (parts.raw[3] === null
          ? 'no baseline yet for these entities and no stated confidence: not counted'
          : 'nothing is known yet (no baseline, no severity spread, no inventory, no intel): neutral'))
      : stated === null
        ? parts.learned.reason
        : `${stated}, averaged with the stream's evidence: ${parts.learned.reason}`;

  const minutes = Math.round(parts.ageMs / 60_000);
  const freshness =
    parts.ageMs === 0
      ? 'last alert at the watermark'
      : `last alert ${minutes} min before the watermark (half-life ${Math.round(context.freshnessHalfLifeMs / 60_000)} min)`;
  return [severity, business, threat, confidence, freshness];
}
