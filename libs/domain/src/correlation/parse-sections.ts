import type { EntityType } from '@soc/contracts';
import { parseScoreWeights, type ConfigFieldError } from '../scoring';
import { parseIpv4Cidr } from './ipv4';
import { entityType, isRecord, join, num, strings, unknownKeys } from './parse-fields';
import type {
  AllowlistPolicy,
  AssetEntry,
  ScoringPolicy,
  SuppressionEntityMatch,
  SuppressionRule,
} from './policy';

export function parseAllowlist(
  value: unknown,
  base: AllowlistPolicy,
  path: string,
  errors: ConfigFieldError[],
): AllowlistPolicy {
  if (value === undefined) return base;
  if (!isRecord(value)) {
    errors.push({ path, message: 'must be an object' });
    return base;
  }
  unknownKeys(value, ['values', 'cidrs', 'users'], path, errors);
  let values = base.values;
  if (value['values'] !== undefined) {
    const valuesPath = join(path, 'values');
    const v = value['values'];
    if (!isRecord(v))
      errors.push({ path: valuesPath, message: 'must be an object keyed by entity type' });
    else {
      const merged: { [T in EntityType]?: readonly string[] } = { ...base.values };
      for (const [type, list] of Object.entries(v)) {
        const typed = entityType(type, join(valuesPath, type), errors);
        const items = strings(list, join(valuesPath, type), errors);
        if (typed !== undefined && items !== undefined) merged[typed] = items;
      }
      values = merged;
    }
  }
  let cidrs = base.cidrs;
  if (value['cidrs'] !== undefined) {
    const list = strings(value['cidrs'], join(path, 'cidrs'), errors);
    if (list !== undefined) {
      list.forEach((cidr, index) => {
        if (parseIpv4Cidr(cidr) === undefined) {
          errors.push({
            path: join(join(path, 'cidrs'), index),
            message: 'must be an IPv4 CIDR such as 10.0.0.0/8',
          });
        }
      });
      cidrs = list;
    }
  }
  let users = base.users;
  if (value['users'] !== undefined)
    users = strings(value['users'], join(path, 'users'), errors) ?? base.users;
  return { values, cidrs, users };
}

export function parseSuppressions(
  value: unknown,
  base: readonly SuppressionRule[],
  path: string,
  errors: ConfigFieldError[],
): readonly SuppressionRule[] {
  if (value === undefined) return base;
  if (!Array.isArray(value)) {
    errors.push({ path, message: 'must be an array of suppression rules' });
    return base;
  }
  const seen = new Set<string>();
  const rules: SuppressionRule[] = [];
  value.forEach((item, index) => {
    const rule = parseSuppression(item, join(path, index), seen, errors);
    if (rule !== undefined) rules.push(rule);
  });
  return rules;
}

function parseSuppression(
  item: unknown,
  itemPath: string,
  seen: Set<string>,
  errors: ConfigFieldError[],
): SuppressionRule | undefined {
  if (!isRecord(item)) {
    errors.push({ path: itemPath, message: 'must be an object' });
    return undefined;
  }
  unknownKeys(
    item,
    ['id', 'reason', 'ruleIds', 'ruleNames', 'entities', 'tactics', 'until'],
    itemPath,
    errors,
  );
  const id = item['id'];
  const reason = item['reason'];
  if (typeof id !== 'string' || id.length === 0)
    errors.push({ path: join(itemPath, 'id'), message: 'required non-empty string' });
  else if (seen.has(id))
    errors.push({ path: join(itemPath, 'id'), message: `duplicate suppression id '${id}'` });
  else seen.add(id);
  if (typeof reason !== 'string' || reason.length === 0) {
    errors.push({
      path: join(itemPath, 'reason'),
      message: 'required non-empty string: analysts read it',
    });
  }
  const optionalStrings = (key: string): string[] | null =>
    item[key] === undefined || item[key] === null
      ? null
      : (strings(item[key], join(itemPath, key), errors) ?? null);
  const ruleIds = optionalStrings('ruleIds');
  const ruleNames = optionalStrings('ruleNames');
  const entities = parseSuppressionEntities(item['entities'], join(itemPath, 'entities'), errors);
  const tactics = optionalStrings('tactics');
  const until = parseUntil(item['until'], join(itemPath, 'until'), errors);
  if (ruleIds === null && ruleNames === null && entities === null) {
    errors.push({
      path: itemPath,
      message: 'needs at least one of ruleIds, ruleNames, entities: it would suppress everything',
    });
  }
  if (typeof id !== 'string' || typeof reason !== 'string') return undefined;
  return { id, reason, ruleIds, ruleNames, entities, tactics, until };
}

function parseSuppressionEntities(
  list: unknown,
  entitiesPath: string,
  errors: ConfigFieldError[],
): SuppressionEntityMatch[] | null {
  if (list === undefined || list === null) return null;
  if (!Array.isArray(list)) {
    errors.push({ path: entitiesPath, message: 'must be an array of { type, value }' });
    return null;
  }
  const entities: SuppressionEntityMatch[] = [];
  list.forEach((match, matchIndex) => {
    const matchPath = join(entitiesPath, matchIndex);
    if (!isRecord(match) || typeof match['value'] !== 'string' || match['value'].length === 0) {
      errors.push({
        path: matchPath,
        message: 'must be { type, value } with a non-empty value',
      });
      return;
    }
    const type = entityType(match['type'], join(matchPath, 'type'), errors);
    if (type !== undefined) entities.push({ type, value: match['value'] });
  });
  return entities;
}

function parseUntil(value: unknown, path: string, errors: ConfigFieldError[]): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  errors.push({ path, message: 'must be epoch milliseconds or null' });
  return null;
}

export function parseScoring(
  value: unknown,
  base: ScoringPolicy,
  path: string,
  errors: ConfigFieldError[],
): ScoringPolicy {
  if (value === undefined) return base;
  if (!isRecord(value)) {
    errors.push({ path, message: 'must be an object' });
    return base;
  }
  unknownKeys(
    value,
    [
      'weights',
      'highPriorityThreshold',
      'defaultCriticality',
      'defaultConfidence',
      'freshnessHalfLifeMs',
      'assets',
    ],
    path,
    errors,
  );
  let weights = base.weights;
  if (value['weights'] !== undefined) {
    const parsed = parseScoreWeights(value['weights'], join(path, 'weights'), base.weights);
    if (parsed.ok) weights = parsed.weights;
    else errors.push(...parsed.errors);
  }
  const assets = parseAssets(value['assets'], base.assets, join(path, 'assets'), errors);
  return {
    weights,
    highPriorityThreshold: num(
      value,
      'highPriorityThreshold',
      base.highPriorityThreshold,
      path,
      errors,
      { max: 100 },
    ),
    defaultCriticality: num(value, 'defaultCriticality', base.defaultCriticality, path, errors, {
      min: 1,
      max: 5,
    }),
    defaultConfidence: num(value, 'defaultConfidence', base.defaultConfidence, path, errors, {
      max: 100,
    }),
    freshnessHalfLifeMs: num(value, 'freshnessHalfLifeMs', base.freshnessHalfLifeMs, path, errors, {
      integer: true,
      exclusiveMin: true,
    }),
    assets,
  };
}

function parseAssets(
  list: unknown,
  base: readonly AssetEntry[],
  assetsPath: string,
  errors: ConfigFieldError[],
): readonly AssetEntry[] {
  if (list === undefined) return base;
  if (!Array.isArray(list)) {
    errors.push({ path: assetsPath, message: 'must be an array of assets' });
    return base;
  }
  const parsed: AssetEntry[] = [];
  list.forEach((item, index) => {
    const itemPath = join(assetsPath, index);
    if (!isRecord(item)) {
      errors.push({ path: itemPath, message: 'must be { type, value, criticality, tags }' });
      return;
    }
    const type = entityType(item['type'], join(itemPath, 'type'), errors);
    const criticality = num(item, 'criticality', 0, itemPath, errors, {
      min: 1,
      max: 5,
      integer: true,
    });
    const tags =
      item['tags'] === undefined ? [] : strings(item['tags'], join(itemPath, 'tags'), errors);
    if (typeof item['value'] !== 'string' || item['value'].length === 0) {
      errors.push({ path: join(itemPath, 'value'), message: 'required non-empty string' });
    } else if (item['criticality'] === undefined) {
      errors.push({ path: join(itemPath, 'criticality'), message: 'required: 1 to 5' });
    } else if (type !== undefined && tags !== undefined) {
      parsed.push({ type, value: item['value'], criticality, tags });
    }
  });
  return parsed;
}
