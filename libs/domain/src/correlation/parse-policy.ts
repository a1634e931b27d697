import type { EntityType, TenantBudgetLimits } from '@soc/contracts';
import type { ConfigFieldError } from '../scoring';
import { compilePolicy } from './compile-policy';
import type { CorrelationConfigResult, TenantCorrelationPolicy } from './config';
import { entityType, isRecord, join, num, unknownKeys, type Raw } from './parse-fields';
import { parseAllowlist, parseScoring, parseSuppressions } from './parse-sections';
import {
  DEFAULT_CORRELATION_POLICY,
  type CampaignPolicy,
  type CorrelationPolicy,
  type RepeatPolicy,
} from './policy';

const POLICY_FIELDS: readonly (keyof CorrelationPolicy)[] = [
  'windowMs',
  'maxIncidentSpanMs',
  'allowedLatenessMs',
  'maxClockSkewMs',
  'revisionHorizonMs',
  'idleTimeoutMs',
  'linkingEntityTypes',
  'allowlist',
  'suppressions',
  'repeats',
  'campaign',
  'scoring',
  'budgets',
];

/** A positive whole number of milliseconds. */
const MS = { min: 0, integer: true, exclusiveMin: true };

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

/**
 * One policy section (every field optional) over `base`, as the file's tenant sections and the
 * tenant configuration of the admin API are read: errors go into `errors` under `path`.
 */
export function parsePolicy(
  raw: Raw,
  base: CorrelationPolicy,
  path: string,
  errors: ConfigFieldError[],
): CorrelationPolicy | undefined {
  const before = errors.length;
  unknownKeys(raw, POLICY_FIELDS, path, errors);
  const windowMs = num(raw, 'windowMs', base.windowMs, path, errors, MS);
  const maxIncidentSpanMs = num(raw, 'maxIncidentSpanMs', base.maxIncidentSpanMs, path, errors, MS);
  const eventTime = parseEventTime(raw, base, path, errors);
  if (maxIncidentSpanMs < windowMs) {
    errors.push({ path: join(path, 'maxIncidentSpanMs'), message: 'must be at least windowMs' });
  }

  const linkingEntityTypes = parseLinkingTypes(
    raw['linkingEntityTypes'],
    base.linkingEntityTypes,
    join(path, 'linkingEntityTypes'),
    errors,
  );
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

  const repeats = parseRepeats(raw['repeats'], base.repeats, join(path, 'repeats'), errors);
  const campaign = parseCampaign(raw['campaign'], base.campaign, join(path, 'campaign'), errors);
  const scoring = parseScoring(raw['scoring'], base.scoring, join(path, 'scoring'), errors);
  const budgets = parseBudgets(raw['budgets'], base.budgets, join(path, 'budgets'), errors);
  if (errors.length > before) return undefined;
  return {
    windowMs,
    maxIncidentSpanMs,
    ...eventTime,
    linkingEntityTypes,
    allowlist,
    suppressions,
    repeats,
    campaign,
    scoring,
    budgets,
  };
}

type EventTimeFields = Pick<
  CorrelationPolicy,
  'allowedLatenessMs' | 'maxClockSkewMs' | 'revisionHorizonMs' | 'idleTimeoutMs'
>;

/** The lateness, clock-skew, revision and idleness durations (see CorrelationPolicy). */
function parseEventTime(
  raw: Raw,
  base: CorrelationPolicy,
  path: string,
  errors: ConfigFieldError[],
): EventTimeFields {
  const wholeMs = { min: 0, integer: true };
  return {
    allowedLatenessMs: num(raw, 'allowedLatenessMs', base.allowedLatenessMs, path, errors, {
      integer: true,
    }),
    maxClockSkewMs: num(raw, 'maxClockSkewMs', base.maxClockSkewMs, path, errors, wholeMs),
    revisionHorizonMs: num(raw, 'revisionHorizonMs', base.revisionHorizonMs, path, errors, wholeMs),
    idleTimeoutMs: num(raw, 'idleTimeoutMs', base.idleTimeoutMs, path, errors, MS),
  };
}

function parseLinkingTypes(
  list: unknown,
  base: readonly EntityType[],
  path: string,
  errors: ConfigFieldError[],
): readonly EntityType[] {
  if (list === undefined) return base;
  if (!Array.isArray(list)) {
    errors.push({ path, message: 'must be an array of entity types' });
    return base;
  }
  const types = list.map((item, index) => entityType(item, join(path, index), errors));
  return types.every((type): type is EntityType => type !== undefined) ? types : base;
}

function parseRepeats(
  r: unknown,
  base: RepeatPolicy,
  repeatsPath: string,
  errors: ConfigFieldError[],
): RepeatPolicy {
  if (r === undefined) return base;
  if (!isRecord(r)) {
    errors.push({ path: repeatsPath, message: 'must be an object' });
    return base;
  }
  unknownKeys(
    r,
    ['enabled', 'routineMinRepeats', 'routineMaxCv', 'routineMinIntervalMs'],
    repeatsPath,
    errors,
  );
  let enabled = base.enabled;
  if (r['enabled'] !== undefined) {
    if (typeof r['enabled'] === 'boolean') enabled = r['enabled'];
    else errors.push({ path: join(repeatsPath, 'enabled'), message: 'must be a boolean' });
  }
  return {
    enabled,
    routineMinRepeats: num(r, 'routineMinRepeats', base.routineMinRepeats, repeatsPath, errors, {
      min: 2,
      max: 1_000,
      integer: true,
    }),
    routineMaxCv: num(r, 'routineMaxCv', base.routineMaxCv, repeatsPath, errors, { max: 10 }),
    routineMinIntervalMs: num(
      r,
      'routineMinIntervalMs',
      base.routineMinIntervalMs,
      repeatsPath,
      errors,
      { integer: true },
    ),
  };
}

function parseCampaign(
  c: unknown,
  base: CampaignPolicy,
  campaignPath: string,
  errors: ConfigFieldError[],
): CampaignPolicy {
  if (c === undefined) return base;
  if (!isRecord(c)) {
    errors.push({ path: campaignPath, message: 'must be an object' });
    return base;
  }
  unknownKeys(
    c,
    ['horizonMs', 'riskThreshold', 'minPriority', 'spreadWindowMs'],
    campaignPath,
    errors,
  );
  return {
    horizonMs: num(c, 'horizonMs', base.horizonMs, campaignPath, errors, MS),
    riskThreshold: num(c, 'riskThreshold', base.riskThreshold, campaignPath, errors, {
      min: 0,
      exclusiveMin: true,
    }),
    minPriority: num(c, 'minPriority', base.minPriority, campaignPath, errors, { max: 100 }),
    spreadWindowMs: num(c, 'spreadWindowMs', base.spreadWindowMs, campaignPath, errors, MS),
  };
}

const BUDGET_FIELDS: readonly (keyof TenantBudgetLimits)[] = [
  'openIncidents',
  'linkedKeys',
  'trackedEntities',
  'rememberedIncidents',
];

function parseBudgets(
  b: unknown,
  base: TenantBudgetLimits,
  budgetsPath: string,
  errors: ConfigFieldError[],
): TenantBudgetLimits {
  if (b === undefined) return base;
  if (!isRecord(b)) {
    errors.push({ path: budgetsPath, message: 'must be an object' });
    return base;
  }
  unknownKeys(b, BUDGET_FIELDS, budgetsPath, errors);
  const limit = (field: keyof TenantBudgetLimits): number =>
    num(b, field, base[field], budgetsPath, errors, { min: 1, integer: true });
  return {
    openIncidents: limit('openIncidents'),
    linkedKeys: limit('linkedKeys'),
    trackedEntities: limit('trackedEntities'),
    rememberedIncidents: limit('rememberedIncidents'),
  };
}
