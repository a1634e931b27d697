import {
  ENTITY_TYPES,
  type AlertEntity,
  type CanonicalAlert,
  type EntityType,
  type EpochMs,
} from '@soc/contracts';
import {
  DEFAULT_SCORE_WEIGHTS,
  DEFAULT_SCORING_CONTEXT,
  parseScoreWeights,
  type AssetContext,
  type AssetLookup,
  type ConfigFieldError,
  type ScoreWeights,
  type ScoringContext,
} from '../scoring';
import { parseIpv4, parseIpv4Cidr, type Ipv4Network } from './entity-keys';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Shared infrastructure that never links alerts: it appears in unrelated alerts all day. */
export interface AllowlistPolicy {
  /** Exact normalized values per entity type (hosts and domains lower-cased, as the normalizers emit them). */
  readonly values: { readonly [T in EntityType]?: readonly string[] };
  /** IPv4 networks (`10.0.0.0/8`); an IP inside one never links. IPv6 only through `values.ip`. */
  readonly cidrs: readonly string[];
  /**
   * User names, matched against the whole value (`corp\\svc_backup`) and the bare name
   * (`svc_backup`); a trailing `*` matches a prefix (`svc_*` for service accounts).
   */
  readonly users: readonly string[];
}

export interface SuppressionEntityMatch {
  readonly type: EntityType;
  /** Exact value, case-insensitive; `*` matches any run of characters. */
  readonly value: string;
}

/**
 * A suppression: matching alerts yield AlertSuppressed (recorded, never dropped) instead of
 * joining an incident. Every criterion given must match; inside a list any entry may match.
 */
export interface SuppressionRule {
  readonly id: string;
  readonly reason: string;
  readonly ruleIds: readonly string[] | null;
  /** Matched against the rule name, or the title when the alert has no rule name; `*` wildcards. */
  readonly ruleNames: readonly string[] | null;
  readonly entities: readonly SuppressionEntityMatch[] | null;
  /** Event time after which the rule no longer applies; null for no end. */
  readonly until: EpochMs | null;
}

export interface RepeatPolicy {
  /** Fold the same rule on the same entity set into a counter (AlertRepeatsCounted). */
  readonly enabled: boolean;
  /** Repeats (not counting the first occurrence) needed before a rhythm can be called routine. */
  readonly routineMinRepeats: number;
  /** Coefficient of variation of the intervals at or below which the rhythm is steady. */
  readonly routineMaxCv: number;
  /** Bursts are not routine: the mean interval must be at least this long. */
  readonly routineMinIntervalMs: number;
}

export interface CampaignPolicy {
  /** How long incidents and entity risk are remembered after their last alert (event time). */
  readonly horizonMs: number;
  /** Accumulated entity risk at which every incident of the entity joins one campaign. */
  readonly riskThreshold: number;
  /** Incidents below this priority are not linked by a shared entity alone. */
  readonly minPriority: number;
}

export interface AssetEntry extends AssetContext {
  readonly type: EntityType;
  readonly value: string;
}

export interface ScoringPolicy {
  readonly weights: ScoreWeights;
  /** IncidentEscalated once when the priority first reaches this. */
  readonly highPriorityThreshold: number;
  readonly defaultCriticality: number;
  readonly defaultConfidence: number;
  readonly freshnessHalfLifeMs: number;
  /** An inline asset inventory; a shell with a real inventory passes its own lookup instead. */
  readonly assets: readonly AssetEntry[];
}

export interface CorrelationPolicy {
  /** Alerts sharing a linking entity less than this far apart in event time join one incident. */
  readonly windowMs: number;
  /** An incident closes ('max-span-reached') this long after its first alert. */
  readonly maxIncidentSpanMs: number;
  /** How far behind the newest event time an alert may arrive and still count as on time. */
  readonly allowedLatenessMs: number;
  readonly linkingEntityTypes: readonly EntityType[];
  readonly allowlist: AllowlistPolicy;
  readonly suppressions: readonly SuppressionRule[];
  readonly repeats: RepeatPolicy;
  readonly campaign: CampaignPolicy;
  readonly scoring: ScoringPolicy;
}

/**
 * Service accounts (`svc_*`, `svc-*`) are allowlisted by default: a backup or scanner account
 * touches every server by design, so it would chain unrelated jobs into one incident; their
 * alerts still link through the host, and repeats of one job still fold through the repeat key.
 * Process names are not linking by default: `powershell.exe` and `svchost.exe` appear on every
 * host, so they would chain unrelated alerts together. Add 'process' where process values are
 * host-qualified.
 */
export const DEFAULT_CORRELATION_POLICY: CorrelationPolicy = {
  windowMs: 15 * MINUTE,
  maxIncidentSpanMs: 12 * HOUR,
  allowedLatenessMs: 2 * MINUTE,
  linkingEntityTypes: [
    'host',
    'user',
    'ip',
    'file_hash',
    'domain',
    'url',
    'email',
    'cloud_resource',
  ],
  allowlist: {
    values: {},
    cidrs: ['0.0.0.0/32', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/4', '255.255.255.255/32'],
    users: ['system', 'local service', 'network service', 'anonymous logon', 'svc_*', 'svc-*'],
  },
  suppressions: [],
  repeats: { enabled: true, routineMinRepeats: 4, routineMaxCv: 0.2, routineMinIntervalMs: MINUTE },
  campaign: { horizonMs: 24 * HOUR, riskThreshold: 250, minPriority: 60 },
  scoring: {
    weights: DEFAULT_SCORE_WEIGHTS,
    highPriorityThreshold: 80,
    defaultCriticality: DEFAULT_SCORING_CONTEXT.defaultCriticality,
    defaultConfidence: DEFAULT_SCORING_CONTEXT.defaultConfidence,
    freshnessHalfLifeMs: DEFAULT_SCORING_CONTEXT.freshnessHalfLifeMs,
    assets: [],
  },
};

/** Entity types whose values the normalizers lower-case (see AlertEntity). */
const LOWER_CASED: ReadonlySet<EntityType> = new Set<EntityType>([
  'host',
  'domain',
  'file_hash',
  'email',
  'user',
]);

/** A policy with its matchers compiled once, at parse time. */
export interface TenantCorrelationPolicy {
  readonly policy: CorrelationPolicy;
  readonly scoringContext: ScoringContext;
  /** True when the entity's type links and the entity is not allowlisted infrastructure. */
  readonly links: (entity: AlertEntity) => boolean;
  readonly suppressionFor: (alert: CanonicalAlert) => SuppressionRule | undefined;
}

export interface CorrelationConfig {
  readonly defaults: TenantCorrelationPolicy;
  readonly tenants: ReadonlyMap<string, TenantCorrelationPolicy>;
  /** The shell's asset inventory per tenant; null to use each policy's inline `scoring.assets`. */
  readonly assetLookupFor: ((tenantId: string) => AssetLookup) | null;
}

export type CorrelationConfigResult =
  | { readonly ok: true; readonly config: CorrelationConfig }
  | { readonly ok: false; readonly errors: readonly ConfigFieldError[] };

export const policyFor = (config: CorrelationConfig, tenantId: string): TenantCorrelationPolicy =>
  config.tenants.get(tenantId) ?? config.defaults;

export function defaultCorrelationConfig(): CorrelationConfig {
  return {
    defaults: compilePolicy(DEFAULT_CORRELATION_POLICY, undefined),
    tenants: new Map(),
    assetLookupFor: null,
  };
}

/**
 * A shell with a real asset inventory plugs its per-tenant lookup in here; it replaces the
 * inline `scoring.assets` lists for every tenant. The lookup must behave as a pure function
 * for a run (a snapshot refreshed between batches), or a replay scores differently.
 */
export function withAssetLookup(
  config: CorrelationConfig,
  lookupFor: (tenantId: string) => AssetLookup,
): CorrelationConfig {
  return { ...config, assetLookupFor: lookupFor };
}

/** The scoring context of a tenant: its policy's defaults with the tenant's asset lookup. */
export function scoringContextFor(config: CorrelationConfig, tenantId: string): ScoringContext {
  const compiled = policyFor(config, tenantId);
  return config.assetLookupFor === null
    ? compiled.scoringContext
    : { ...compiled.scoringContext, assets: config.assetLookupFor(tenantId) };
}

/**
 * Parses `{ defaults?: Policy, tenants?: { [tenantId]: Policy } }` where every Policy field is
 * optional. A tenant's policy is the defaults deep-merged with its override (objects merge
 * key by key; arrays and scalars replace). Unknown fields are errors, so a misspelt
 * `windowMS` cannot silently fall back to a default. Errors carry the field path.
 */
export function parseCorrelationConfig(input: unknown): CorrelationConfigResult {
  const errors: ConfigFieldError[] = [];
  if (!isRecord(input))
    return { ok: false, errors: [{ path: '', message: 'must be a JSON object' }] };
  unknownKeys(input, ['defaults', 'tenants'], '', errors);
  const defaultsRaw = input['defaults'] ?? {};
  if (!isRecord(defaultsRaw)) errors.push({ path: 'defaults', message: 'must be an object' });
  const tenantsRaw = input['tenants'] ?? {};
  if (!isRecord(tenantsRaw))
    errors.push({ path: 'tenants', message: 'must be an object keyed by tenant id' });
  if (errors.length > 0 || !isRecord(defaultsRaw) || !isRecord(tenantsRaw))
    return { ok: false, errors };

  const defaults = parsePolicy(defaultsRaw, DEFAULT_CORRELATION_POLICY, 'defaults', errors);
  const tenants = new Map<string, TenantCorrelationPolicy>();
  if (defaults !== undefined) {
    for (const [tenantId, override] of Object.entries(tenantsRaw)) {
      const path = `tenants.${tenantId}`;
      if (!isRecord(override)) {
        errors.push({ path, message: 'must be an object' });
        continue;
      }
      const policy = parsePolicy(override, defaults, path, errors);
      if (policy !== undefined) tenants.set(tenantId, compilePolicy(policy, tenantId));
    }
  }
  if (errors.length > 0 || defaults === undefined) return { ok: false, errors };
  return {
    ok: true,
    config: { defaults: compilePolicy(defaults, undefined), tenants, assetLookupFor: null },
  };
}

type Raw = Record<string, unknown>;

const isRecord = (value: unknown): value is Raw =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function unknownKeys(
  raw: Raw,
  known: readonly string[],
  path: string,
  errors: ConfigFieldError[],
): void {
  for (const key of Object.keys(raw)) {
    if (!known.includes(key))
      errors.push({
        path: join(path, key),
        message: `unknown field; expected one of ${known.join(', ')}`,
      });
  }
}

const join = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;

/** Reads `raw[key]` as a number within bounds, falling back to `base` when absent. */
function num(
  raw: Raw,
  key: string,
  base: number,
  path: string,
  errors: ConfigFieldError[],
  { min = 0, max = Number.MAX_SAFE_INTEGER, integer = false, exclusiveMin = false } = {},
): number {
  const value = raw[key];
  if (value === undefined) return base;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (exclusiveMin ? value > min : value >= min) &&
    value <= max &&
    (!integer || Number.isInteger(value));
  if (!ok) {
    const kind = integer ? 'an integer' : 'a number';
    errors.push({
      path: join(path, key),
      message: `must be ${kind} ${exclusiveMin ? '>' : '>='} ${min} and <= ${max}`,
    });
    return base;
  }
  return value as number;
}

function strings(value: unknown, path: string, errors: ConfigFieldError[]): string[] | undefined {
  if (
    !Array.isArray(value) ||
    value.some((item) => typeof item !== 'string' || item.length === 0)
  ) {
    errors.push({ path, message: 'must be an array of non-empty strings' });
    return undefined;
  }
  return value as string[];
}

function entityType(
  value: unknown,
  path: string,
  errors: ConfigFieldError[],
): EntityType | undefined {
  if (typeof value === 'string' && (ENTITY_TYPES as readonly string[]).includes(value))
    return value as EntityType;
  errors.push({ path, message: `must be an entity type: ${ENTITY_TYPES.join(', ')}` });
  return undefined;
}

function parsePolicy(
  raw: Raw,
  base: CorrelationPolicy,
  path: string,
  errors: ConfigFieldError[],
): CorrelationPolicy | undefined {
  const before = errors.length;
  unknownKeys(
    raw,
    [
      'windowMs',
      'maxIncidentSpanMs',
      'allowedLatenessMs',
      'linkingEntityTypes',
      'allowlist',
      'suppressions',
      'repeats',
      'campaign',
      'scoring',
    ],
    path,
    errors,
  );
  const ms = { min: 0, integer: true, exclusiveMin: true };
  const windowMs = num(raw, 'windowMs', base.windowMs, path, errors, ms);
  const maxIncidentSpanMs = num(raw, 'maxIncidentSpanMs', base.maxIncidentSpanMs, path, errors, ms);
  const allowedLatenessMs = num(raw, 'allowedLatenessMs', base.allowedLatenessMs, path, errors, {
    integer: true,
  });
  if (maxIncidentSpanMs < windowMs) {
    errors.push({ path: join(path, 'maxIncidentSpanMs'), message: 'must be at least windowMs' });
  }

  let linkingEntityTypes = base.linkingEntityTypes;
  if (raw['linkingEntityTypes'] !== undefined) {
    const list = raw['linkingEntityTypes'];
    const listPath = join(path, 'linkingEntityTypes');
    if (!Array.isArray(list))
      errors.push({ path: listPath, message: 'must be an array of entity types' });
    else {
      const types = list.map((item, index) => entityType(item, join(listPath, index), errors));
      if (types.every((type): type is EntityType => type !== undefined)) linkingEntityTypes = types;
    }
  }

  const allowlist = parseAllowlist(
    raw['allowlist'],
    base.allowlist,
    join(path, 'allowlist'),
    errors,
  );
  const suppressions = parseSuppressions(
    raw['suppressions'],
    base.suppressions,
    join(path, 'suppressions'),
    errors,
  );

  let repeats = base.repeats;
  if (raw['repeats'] !== undefined) {
    const repeatsPath = join(path, 'repeats');
    const r = raw['repeats'];
    if (!isRecord(r)) errors.push({ path: repeatsPath, message: 'must be an object' });
    else {
      unknownKeys(
        r,
        ['enabled', 'routineMinRepeats', 'routineMaxCv', 'routineMinIntervalMs'],
        repeatsPath,
        errors,
      );
      let enabled = base.repeats.enabled;
      if (r['enabled'] !== undefined) {
        if (typeof r['enabled'] === 'boolean') enabled = r['enabled'];
        else errors.push({ path: join(repeatsPath, 'enabled'), message: 'must be a boolean' });
      }
      repeats = {
        enabled,
        routineMinRepeats: num(
          r,
          'routineMinRepeats',
          base.repeats.routineMinRepeats,
          repeatsPath,
          errors,
          {
            min: 2,
            max: 1_000,
            integer: true,
          },
        ),
        routineMaxCv: num(r, 'routineMaxCv', base.repeats.routineMaxCv, repeatsPath, errors, {
          max: 10,
        }),
        routineMinIntervalMs: num(
          r,
          'routineMinIntervalMs',
          base.repeats.routineMinIntervalMs,
          repeatsPath,
          errors,
          {
            integer: true,
          },
        ),
      };
    }
  }

  let campaign = base.campaign;
  if (raw['campaign'] !== undefined) {
    const campaignPath = join(path, 'campaign');
    const c = raw['campaign'];
    if (!isRecord(c)) errors.push({ path: campaignPath, message: 'must be an object' });
    else {
      unknownKeys(c, ['horizonMs', 'riskThreshold', 'minPriority'], campaignPath, errors);
      campaign = {
        horizonMs: num(c, 'horizonMs', base.campaign.horizonMs, campaignPath, errors, ms),
        riskThreshold: num(c, 'riskThreshold', base.campaign.riskThreshold, campaignPath, errors, {
          min: 0,
          exclusiveMin: true,
        }),
        minPriority: num(c, 'minPriority', base.campaign.minPriority, campaignPath, errors, {
          max: 100,
        }),
      };
    }
  }

  const scoring = parseScoring(raw['scoring'], base.scoring, join(path, 'scoring'), errors);
  if (errors.length > before) return undefined;
  return {
    windowMs,
    maxIncidentSpanMs,
    allowedLatenessMs,
    linkingEntityTypes,
    allowlist,
    suppressions,
    repeats,
    campaign,
    scoring,
  };
}

function parseAllowlist(
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

function parseSuppressions(
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
    const itemPath = join(path, index);
    if (!isRecord(item)) {
      errors.push({ path: itemPath, message: 'must be an object' });
      return;
    }
    unknownKeys(
      item,
      ['id', 'reason', 'ruleIds', 'ruleNames', 'entities', 'until'],
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
    let entities: SuppressionEntityMatch[] | null = null;
    if (item['entities'] !== undefined && item['entities'] !== null) {
      const list = item['entities'];
      const entitiesPath = join(itemPath, 'entities');
      if (!Array.isArray(list))
        errors.push({ path: entitiesPath, message: 'must be an array of { type, value }' });
      else {
        entities = [];
        list.forEach((match, matchIndex) => {
          const matchPath = join(entitiesPath, matchIndex);
          if (
            !isRecord(match) ||
            typeof match['value'] !== 'string' ||
            match['value'].length === 0
          ) {
            errors.push({
              path: matchPath,
              message: 'must be { type, value } with a non-empty value',
            });
            return;
          }
          const type = entityType(match['type'], join(matchPath, 'type'), errors);
          if (type !== undefined) entities?.push({ type, value: match['value'] });
        });
      }
    }
    let until: number | null = null;
    if (item['until'] !== undefined && item['until'] !== null) {
      if (typeof item['until'] === 'number' && Number.isInteger(item['until']))
        until = item['until'];
      else
        errors.push({
          path: join(itemPath, 'until'),
          message: 'must be epoch milliseconds or null',
        });
    }
    if (ruleIds === null && ruleNames === null && entities === null) {
      errors.push({
        path: itemPath,
        message: 'needs at least one of ruleIds, ruleNames, entities: it would suppress everything',
      });
    }
    if (typeof id === 'string' && typeof reason === 'string') {
      rules.push({ id, reason, ruleIds, ruleNames, entities, until });
    }
  });
  return rules;
}

function parseScoring(
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
  let assets = base.assets;
  if (value['assets'] !== undefined) {
    const assetsPath = join(path, 'assets');
    const list = value['assets'];
    if (!Array.isArray(list))
      errors.push({ path: assetsPath, message: 'must be an array of assets' });
    else {
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
      assets = parsed;
    }
  }
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

/** Builds the matchers of a policy. Pure: the closures only read what is compiled here. */
export function compilePolicy(
  policy: CorrelationPolicy,
  _tenantId: string | undefined,
): TenantCorrelationPolicy {
  const linking = new Set<EntityType>(policy.linkingEntityTypes);
  // Values arrive normalized (hosts, domains, hashes, e-mails and users lower-cased), so the
  // hot path compares them as they are; the configured values are folded the same way.
  const exact = new Map<EntityType, ReadonlySet<string>>();
  for (const type of ENTITY_TYPES) {
    const values = policy.allowlist.values[type];
    if (values && values.length > 0)
      exact.set(type, new Set(values.map((v) => (LOWER_CASED.has(type) ? v.toLowerCase() : v))));
  }
  const networks: Ipv4Network[] = policy.allowlist.cidrs
    .map(parseIpv4Cidr)
    .filter((network): network is Ipv4Network => network !== undefined);
  const userExact: string[] = [];
  const userPrefixes: string[] = [];
  for (const pattern of policy.allowlist.users) {
    const folded = pattern.toLowerCase();
    if (folded.endsWith('*')) userPrefixes.push(folded.slice(0, -1));
    else userExact.push(folded);
  }
  /** Matches the whole value or the bare name (after `DOMAIN\\`, before `@`), without allocating. */
  const userAllowed = (value: string): boolean => {
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

  const links = (entity: AlertEntity): boolean => {
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

  const compiled = policy.suppressions.map((rule) => ({
    rule,
    ruleIds: rule.ruleIds === null ? null : new Set(rule.ruleIds),
    ruleNames: rule.ruleNames === null ? null : rule.ruleNames.map(globPattern),
    entities:
      rule.entities === null
        ? null
        : rule.entities.map((match) => ({ type: match.type, value: globPattern(match.value) })),
  }));
  const suppressionFor = (alert: CanonicalAlert): SuppressionRule | undefined => {
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
      return candidate.rule;
    }
    return undefined;
  };

  const inventory = new Map<EntityType, Map<string, AssetContext>>();
  for (const asset of policy.scoring.assets) {
    let byValue = inventory.get(asset.type);
    if (byValue === undefined) inventory.set(asset.type, (byValue = new Map()));
    byValue.set(asset.value.toLowerCase(), { criticality: asset.criticality, tags: asset.tags });
  }
  const assets: AssetLookup =
    inventory.size === 0
      ? DEFAULT_SCORING_CONTEXT.assets
      : (entity) => inventory.get(entity.type)?.get(entity.value.toLowerCase());

  return {
    policy,
    links,
    suppressionFor,
    scoringContext: {
      assets,
      defaultCriticality: policy.scoring.defaultCriticality,
      defaultConfidence: policy.scoring.defaultConfidence,
      freshnessHalfLifeMs: policy.scoring.freshnessHalfLifeMs,
    },
  };
}

/** `*` matches any run of characters; everything else literally, case-insensitive. */
function globPattern(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 'i');
}
