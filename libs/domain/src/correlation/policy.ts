import type { EntityType, EpochMs, TenantBudgetLimits } from '@soc/contracts';
import {
  DEFAULT_SCORE_WEIGHTS,
  DEFAULT_SCORING_CONTEXT,
  type AssetContext,
  type ScoreWeights,
} from '../scoring';

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
  /** ATT&CK tactics (`TA0007` or `discovery`), exact and case-insensitive: any one matches. */
  readonly tactics: readonly string[] | null;
  /** Event time after which the rule no longer applies; null for no end. */
  readonly until: EpochMs | null;
}

export interface RepeatPolicy {
  /** Fold the same rule on the same entity set into a counter (IncidentRepeatsCounted). */
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
  /**
   * A rule rare in the whole tenant that fires on two hosts less than this apart links their
   * incidents (rare activity moving between hosts: see spread-links.ts); an alert of a quiet
   * host this close to an escalated story joins it (see quiet-links.ts).
   */
  readonly spreadWindowMs: number;
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
  /**
   * Clock-skew guard: an alert stamped more than this ahead of its arrival time is corrected
   * to its arrival time (the original kept in the alert's summary), so a bad clock never moves
   * a watermark into the future.
   */
  readonly maxClockSkewMs: number;
  /**
   * A late alert at most this far behind the watermark revises the past: it joins the
   * incident it belongs to, reopening it when closed (as long as the closed incident is still
   * remembered: the campaign horizon). Further behind, it joins or opens what is open now.
   */
  readonly revisionHorizonMs: number;
  /** A tenant none of whose alerts arrived for this long (wall clock) is idle: see TickInput. */
  readonly idleTimeoutMs: number;
  readonly linkingEntityTypes: readonly EntityType[];
  readonly allowlist: AllowlistPolicy;
  readonly suppressions: readonly SuppressionRule[];
  readonly repeats: RepeatPolicy;
  readonly campaign: CampaignPolicy;
  readonly scoring: ScoringPolicy;
  /** Per-tenant state budgets (see budgets.ts). */
  readonly budgets: TenantBudgetLimits;
}

/** Per-tenant state budgets (see budgets.ts): a few hundred MB of correlator heap at most. */
export const DEFAULT_TENANT_BUDGETS: TenantBudgetLimits = {
  openIncidents: 5_000,
  linkedKeys: 100_000,
  trackedEntities: 100_000,
  rememberedIncidents: 5_000,
};

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
  maxClockSkewMs: 5 * MINUTE,
  revisionHorizonMs: 24 * HOUR,
  idleTimeoutMs: 15 * MINUTE,
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
  campaign: { horizonMs: 24 * HOUR, riskThreshold: 250, minPriority: 60, spreadWindowMs: HOUR },
  scoring: {
    weights: DEFAULT_SCORE_WEIGHTS,
    highPriorityThreshold: 80,
    defaultCriticality: DEFAULT_SCORING_CONTEXT.defaultCriticality,
    defaultConfidence: DEFAULT_SCORING_CONTEXT.defaultConfidence,
    freshnessHalfLifeMs: DEFAULT_SCORING_CONTEXT.freshnessHalfLifeMs,
    assets: [],
  },
  budgets: DEFAULT_TENANT_BUDGETS,
};
