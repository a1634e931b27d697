import {
  ENTITY_TYPES,
  type AlertEntity,
  type CanonicalAlert,
  type EntityType,
} from '@soc/contracts';
import { DEFAULT_SCORING_CONTEXT, type AssetContext, type AssetLookup } from '../scoring';
import type { TenantCorrelationPolicy } from './config';
import { parseIpv4, parseIpv4Cidr, type Ipv4Network } from './ipv4';
import type { AllowlistPolicy, CorrelationPolicy, ScoringPolicy, SuppressionRule } from './policy';

/** Entity types whose values the normalizers lower-case (see AlertEntity). */
const LOWER_CASED: ReadonlySet<EntityType> = new Set<EntityType>([
  'host',
  'domain',
  'file_hash',
  'email',
  'user',
]);

/** Builds the matchers of a policy. Pure: the closures only read what is compiled here. */
export function compilePolicy(
  policy: CorrelationPolicy,
  _tenantId: string | undefined,
): TenantCorrelationPolicy {
  return {
    policy,
    links: compileLinks(policy.linkingEntityTypes, policy.allowlist),
    suppressionFor: compileSuppressions(policy.suppressions),
    scoringContext: {
      assets: compileAssets(policy.scoring),
      defaultCriticality: policy.scoring.defaultCriticality,
      defaultConfidence: policy.scoring.defaultConfidence,
      freshnessHalfLifeMs: policy.scoring.freshnessHalfLifeMs,
    },
  };
}

/** True when the entity's type links and the entity is not allowlisted infrastructure. */
function compileLinks(
  linkingEntityTypes: readonly EntityType[],
  allowlist: AllowlistPolicy,
): (entity: AlertEntity) => boolean {
  const linking = new Set<EntityType>(linkingEntityTypes);
  // Values arrive normalized (hosts, domains, hashes, e-mails and users lower-cased), so the
  // hot path compares them as they are; the configured values are folded the same way.
  const exact = new Map<EntityType, ReadonlySet<string>>();
  for (const type of ENTITY_TYPES) {
    const values = allowlist.values[type];
    if (values && values.length > 0)
      exact.set(type, new Set(values.map((v) => (LOWER_CASED.has(type) ? v.toLowerCase() : v))));
  }
  const networks: Ipv4Network[] = allowlist.cidrs
    .map(parseIpv4Cidr)
    .filter((network): network is Ipv4Network => network !== undefined);
  const userAllowed = compileUserAllowlist(allowlist.users);
  return (entity: AlertEntity): boolean => {
    if (!linking.has(entity.type)) return false;
    const values = exact.get(entity.type);
    if (values !== undefined && values.has(entity.value)) return false;
    if (entity.type === 'ip' && networks.length > 0) {
      const address = parseIpv4(entity.value);
      if (address !== undefined) {
        for (const n of networks) if ((address & n.mask) >>> 0 === n.base) return false;
      }
    }
    if (entity.type === 'user' && userAllowed(entity.value)) return false;
    return true;
  };
}

/** Matches the whole value or the bare name (after `DOMAIN\\`, before `@`), without allocating. */
function compileUserAllowlist(users: readonly string[]): (value: string) => boolean {
  const userExact: string[] = [];
  const userPrefixes: string[] = [];
  for (const pattern of users) {
    const folded = pattern.toLowerCase();
    if (folded.endsWith('*')) userPrefixes.push(folded.slice(0, -1));
    else userExact.push(folded);
  }
  return (value: string): boolean => {
    const start = value.lastIndexOf('\\') + 1;
    const at = value.indexOf('@', start);
    const end = at < 0 ? value.length : at;
    for (const name of userExact) {
      if (value === name) return true;
      if (end - start === name.length && value.startsWith(name, start)) return true;
    }
    for (const prefix of userPrefixes)
      if (value.startsWith(prefix) || value.startsWith(prefix, start)) return true;
    return false;
  };
}

function compileSuppressions(
  suppressions: readonly SuppressionRule[],
): (alert: CanonicalAlert) => SuppressionRule | undefined {
  const compiled = suppressions.map((rule) => ({
    rule,
    ruleIds: rule.ruleIds === null ? null : new Set(rule.ruleIds),
    ruleNames: rule.ruleNames === null ? null : rule.ruleNames.map(globPattern),
    entities:
      rule.entities === null
        ? null
        : rule.entities.map((match) => ({ type: match.type, value: globPattern(match.value) })),
    tactics: rule.tactics === null ? null : new Set(rule.tactics.map((t) => t.toLowerCase())),
  }));
  return (alert: CanonicalAlert): SuppressionRule | undefined => {
    for (const candidate of compiled) {
      if (candidate.rule.until !== null && alert.observedAt >= candidate.rule.until) continue;
      if (
        candidate.ruleIds !== null &&
        (alert.ruleId === null || !candidate.ruleIds.has(alert.ruleId))
      )
        continue;
      if (candidate.ruleNames !== null) {
        const name = alert.ruleName ?? alert.title;
        if (!candidate.ruleNames.some((pattern) => pattern.test(name))) continue;
      }
      if (candidate.entities !== null) {
        const matches = candidate.entities;
        const hit = alert.entities.some((entity) =>
          matches.some((match) => match.type === entity.type && match.value.test(entity.value)),
        );
        if (!hit) continue;
      }
      const tactics = candidate.tactics;
      if (tactics !== null && !alert.tactics.some((t) => tactics.has(t.toLowerCase()))) continue;
      return candidate.rule;
    }
    return undefined;
  };
}

function compileAssets(scoring: ScoringPolicy): AssetLookup {
  const inventory = new Map<EntityType, Map<string, AssetContext>>();
  for (const asset of scoring.assets) {
    let byValue = inventory.get(asset.type);
    if (byValue === undefined) inventory.set(asset.type, (byValue = new Map()));
    byValue.set(asset.value.toLowerCase(), { criticality: asset.criticality, tags: asset.tags });
  }
  return inventory.size === 0
    ? DEFAULT_SCORING_CONTEXT.assets
    : (entity) => inventory.get(entity.type)?.get(entity.value.toLowerCase());
}

/** `*` matches any run of characters; everything else literally, case-insensitive. */
function globPattern(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 'i');
}
