import type {
  AlertEntity,
  AlertSummary,
  CanonicalAlert,
  EpochMs,
  IncidentEvent,
  ScoreExplanation,
} from '@soc/contracts';
import {
  addAttackStages,
  ATTACK_STAGES,
  attackStageOf,
  prepareScore,
  type IncidentFacts,
  type RoutineFacts,
  type ScoringContext,
} from '../scoring';
import {
  policyFor,
  scoringContextFor,
  type CorrelationConfig,
  type CorrelationPolicy,
  type TenantCorrelationPolicy,
} from './config';
import { alertKeysOf, ruleLabelOf, type AlertKeys } from './entity-keys';
import { alertCausation, tickCausation, unattachedStreamId, type CorrelationIds } from './ids';
import {
  accumulatedRisk,
  alertRisk,
  bucketOf,
  firstSeenOf,
  hasRule,
  insertSortedBounded,
  lastSeenOf,
  MAX_SCORED_ENTITIES,
  rhythmOf,
  RHYTHM_SAMPLES,
  ruleCount,
  seriesSize,
  withinLink,
  type ClosedIncident,
  type CorrelationInput,
  type CorrelationOutput,
  type CorrelationState,
  type EntityLink,
  type OpenIncident,
  type RepeatSeries,
  type TenantState,
} from './state';

/*
 * Semantics, all per tenant and on event time:
 * - Linking: two alerts are related when they share a linking entity (or the same rule on the
 *   same entity set: the repeat key) less than a window apart; incidents are the connected
 *   groups of that relation. Per key and incident the state keeps ranges of alerts less than
 *   a window apart, so the relation is checked without keeping alerts. An alert related to two
 *   or more open incidents merges them into the oldest. Because the relation is symmetric and
 *   windows close only when the watermark has passed them, any arrival order whose disorder
 *   stays within the allowed lateness gives the same grouping (ordering.spec.ts), as long as no
 *   incident reaches its max span.
 * - Watermark: the later of the one recorded by the last tick-caused event and the newest event
 *   time minus the allowed lateness. Ticks move it (to at least their own watermark), flush
 *   pending repeat counters, and close incidents whose last alert plus the window (or first
 *   alert plus the max span) it has passed.
 * - Late alerts (event time behind the watermark) are never lost: they join an open incident
 *   they relate to; otherwise they are recorded on the closed incident they belong to
 *   ('dropped-window-closed': closed incidents stay immutable); otherwise they open a new
 *   incident so they are still triaged. Each case emits LateAlertHandled saying which.
 * - Repeats of a repeat key already in the incident are folded: RepeatPending now, one
 *   AlertRepeatsCounted per series at the next flush. A series is routine when its intervals
 *   are steady (see flushRepeats); routine alerts score down, and a new rule on the same
 *   entities is a new series, so it attaches as a row and re-scores.
 * - Campaigns: see linkCampaigns.
 */

/** Who decided: the `actor` of each event. */
export const CORRELATION_ACTORS = {
  correlation: 'rule:correlation',
  suppression: 'rule:suppression',
  lateness: 'rule:late-alert',
  merge: 'rule:merge',
  scoring: 'rule:scoring',
  escalation: 'rule:escalation',
  repeats: 'rule:repeat-folding',
  window: 'rule:correlation-window',
  campaign: 'rule:campaign',
} as const;
const ACTOR = CORRELATION_ACTORS;

/**
 * The correlation decider. Reads the state, never changes it: the caller folds the outputs
 * with `evolveCorrelation`. Time is the alert's event time or the tick's watermark; ids come
 * from `ids`; nothing reads a clock or draws random numbers, so the same inputs from the same
 * state give the same outputs, ids included.
 */
export function decideCorrelation(
  input: CorrelationInput,
  state: CorrelationState,
  config: CorrelationConfig,
  ids: CorrelationIds,
): CorrelationOutput[] {
  return input.kind === 'alert'
    ? decideAlert(input.alert, state, config, ids)
    : decideTick(input.watermark, state, config, ids);
}

type DataOf<T extends IncidentEvent['type']> = Extract<IncidentEvent, { type: T }>['data'];

/** Collects one decision's outputs and numbers each stream's events gap-free. */
class Emission {
  readonly outputs: CorrelationOutput[] = [];
  private readonly streams: string[] = [];
  private readonly sequences: number[] = [];

  constructor(
    private readonly ids: CorrelationIds,
    private readonly tenantId: string,
  ) {}

  /** `lastSequence` is the stream's sequence in the state, used on the stream's first event here. */
  emit<T extends IncidentEvent['type']>(
    streamId: string,
    lastSequence: number,
    type: T,
    data: DataOf<T>,
    occurredAt: EpochMs,
    causationId: string,
    actor: string,
  ): void {
    const at = this.streams.indexOf(streamId);
    let sequence: number;
    if (at < 0) {
      sequence = lastSequence + 1;
      this.streams.push(streamId);
      this.sequences.push(sequence);
    } else {
      sequence = (this.sequences[at] as number) + 1;
      this.sequences[at] = sequence;
    }
    this.outputs.push({
      eventId: this.ids.eventId(streamId, sequence),
      type,
      schemaVersion: 1,
      tenantId: this.tenantId,
      streamId,
      sequence,
      partitionKey: this.tenantId,
      occurredAt,
      causationId,
      actor,
      data,
    } as IncidentEvent);
  }
}

const summarize = (alert: CanonicalAlert): AlertSummary => ({
  alertId: alert.alertId,
  sourceSystem: alert.sourceSystem,
  observedAt: alert.observedAt,
  ingestedAt: alert.ingestedAt,
  product: alert.product,
  ruleId: alert.ruleId,
  ruleName: alert.ruleName,
  title: alert.title,
  severity: alert.severity,
  confidence: alert.confidence,
  category: alert.category,
  tactics: alert.tactics,
  techniques: alert.techniques,
  entities: alert.entities,
  threatIntel: alert.threatIntel,
});

/**
 * The watermark an alert is judged against: the one recorded by the last tick-caused event,
 * or the newest event time minus the allowed lateness, whichever is later.
 */
function effectiveWatermark(tenant: TenantState | undefined, policy: CorrelationPolicy): EpochMs {
  if (tenant === undefined) return -Infinity;
  return Math.max(tenant.watermark, tenant.maxEventTime - policy.allowedLatenessMs);
}

/** Open while its last alert plus the window and its first alert plus the max span lie beyond the watermark. */
const isOpenAt = (incident: OpenIncident, watermark: EpochMs, policy: CorrelationPolicy): boolean =>
  lastSeenOf(incident) + incident.windowMs > watermark &&
  firstSeenOf(incident) + policy.maxIncidentSpanMs > watermark;

interface Match {
  readonly incident: OpenIncident;
  readonly shared: AlertEntity[];
}

interface Candidates {
  readonly matches: Match[];
  /** An incident the alert belongs to whose window has passed the watermark but not yet closed. */
  expired: OpenIncident | undefined;
}

function collect(
  candidates: Candidates,
  indexed: EntityLink | Set<EntityLink> | undefined,
  entity: AlertEntity | null,
  time: EpochMs,
  watermark: EpochMs,
  policy: CorrelationPolicy,
): void {
  if (indexed === undefined) return;
  if (indexed instanceof Set) {
    for (const link of indexed) consider(candidates, link, entity, time, watermark, policy);
  } else consider(candidates, indexed, entity, time, watermark, policy);
}

function consider(
  candidates: Candidates,
  link: EntityLink,
  entity: AlertEntity | null,
  time: EpochMs,
  watermark: EpochMs,
  policy: CorrelationPolicy,
): void {
  const incident = link.incident;
  if (!withinLink(link, time, incident.windowMs)) return;
  const span = Math.max(lastSeenOf(incident), time) - Math.min(firstSeenOf(incident), time);
  if (!isOpenAt(incident, watermark, policy) || span >= policy.maxIncidentSpanMs) {
    candidates.expired ??= incident;
    return;
  }
  let match: Match | undefined;
  for (const existing of candidates.matches) {
    if (existing.incident === incident) {
      match = existing;
      break;
    }
  }
  if (match === undefined) {
    match = { incident, shared: [] };
    candidates.matches.push(match);
  }
  if (entity !== null) match.shared.push(entity);
}

const olderFirst = (a: OpenIncident, b: OpenIncident): number =>
  firstSeenOf(a) - firstSeenOf(b) || a.ordinal - b.ordinal;

function decideAlert(
  alert: CanonicalAlert,
  state: CorrelationState,
  config: CorrelationConfig,
  ids: CorrelationIds,
): CorrelationOutput[] {
  const tenantId = alert.tenantId;
  const tenant = state.tenants.get(tenantId);
  const compiled = policyFor(config, tenantId);
  const scoring = scoringContextFor(config, tenantId);
  const policy = compiled.policy;
  const time = alert.observedAt;
  const cause = alertCausation(alert.alertId);
  const out = new Emission(ids, tenantId);
  const summary = summarize(alert);

  const suppression = compiled.suppressionFor(alert);
  if (suppression !== undefined) {
    out.emit(
      unattachedStreamId(tenantId),
      tenant?.unattachedSequence ?? 0,
      'AlertSuppressed',
      {
        incidentId: null,
        alert: summary,
        suppressionRuleId: suppression.id,
        reason: suppression.reason,
      },
      time,
      cause,
      ACTOR.suppression,
    );
    return out.outputs;
  }

  const watermark = effectiveWatermark(tenant, policy);
  const late = time < watermark;
  const keys = alertKeysOf(summary);
  const repeatKey = keys.repeatKey;
  const linkKeys: string[] = [];
  const linkEntities: AlertEntity[] = [];
  for (let i = 0; i < keys.entities.length; i += 1) {
    const entity = keys.entities[i] as AlertEntity;
    if (!compiled.links(entity)) continue;
    linkKeys.push(keys.entityKeys[i] as string);
    linkEntities.push(entity);
  }

  const candidates: Candidates = { matches: [], expired: undefined };
  if (tenant !== undefined) {
    for (let i = 0; i < linkKeys.length; i += 1) {
      collect(
        candidates,
        tenant.index.get(linkKeys[i] as string),
        linkEntities[i] as AlertEntity,
        time,
        watermark,
        policy,
      );
    }
    if (policy.repeats.enabled)
      collect(candidates, tenant.index.get(repeatKey), null, time, watermark, policy);
  }

  if (candidates.matches.length === 0) {
    if (late && tenant !== undefined) {
      const home = candidates.expired ?? closedHome(tenant, linkKeys, time);
      if (home !== undefined) {
        out.emit(
          home.id,
          home.sequence,
          'LateAlertHandled',
          {
            incidentId: home.id,
            alert: summary,
            watermark,
            outcome: 'dropped-window-closed',
            reason:
              `event time ${time - watermark} ms behind the watermark; it belongs to incident ${home.id}, ` +
              'whose window has closed: recorded there, the closed incident is not changed',
          },
          time,
          cause,
          ACTOR.lateness,
        );
        return out.outputs;
      }
    }
    openIncident(
      out,
      tenant,
      alert,
      summary,
      keys,
      linkKeys,
      compiled,
      scoring,
      ids,
      watermark,
      late,
      cause,
    );
    return out.outputs;
  }

  const matches = candidates.matches;
  if (matches.length > 1) matches.sort((a, b) => olderFirst(a.incident, b.incident));
  const survivor = (matches[0] as Match).incident;
  if (late) {
    out.emit(
      survivor.id,
      survivor.sequence,
      'LateAlertHandled',
      {
        incidentId: survivor.id,
        alert: summary,
        watermark,
        outcome: 'attached-to-open-incident',
        reason: `event time ${time - watermark} ms behind the watermark; incident ${survivor.id} is still open`,
      },
      time,
      cause,
      ACTOR.lateness,
    );
  }
  const group: OpenIncident[] = [survivor];
  for (let i = 1; i < matches.length; i += 1) {
    const absorbed = (matches[i] as Match).incident;
    group.push(absorbed);
    out.emit(
      survivor.id,
      survivor.sequence,
      'IncidentsMerged',
      {
        incidentId: survivor.id,
        absorbedIncidentId: absorbed.id,
        bridgingAlertId: alert.alertId,
        sharedEntities: (matches[i] as Match).shared,
      },
      time,
      cause,
      ACTOR.merge,
    );
    out.emit(
      absorbed.id,
      absorbed.sequence,
      'IncidentMergedInto',
      { incidentId: absorbed.id, survivorIncidentId: survivor.id },
      time,
      cause,
      ACTOR.merge,
    );
    out.emit(
      absorbed.id,
      absorbed.sequence,
      'IncidentClosed',
      { incidentId: absorbed.id, reason: 'merged' },
      time,
      cause,
      ACTOR.merge,
    );
  }

  const isRepeat =
    policy.repeats.enabled && group.some((incident) => incident.repeats.has(repeatKey));
  if (isRepeat) {
    out.outputs.push({
      type: 'RepeatPending',
      tenantId,
      incidentId: survivor.id,
      repeatKey,
      alertId: alert.alertId,
      observedAt: time,
    });
    // A repeat changes the score only at the flush, but a merge changes it now.
    if (group.length > 1)
      rescore(
        out,
        survivor,
        group,
        null,
        null,
        null,
        compiled,
        scoring,
        Math.max(watermark, time),
        cause,
      );
    return out.outputs;
  }

  const linkedBy: AlertEntity[] = [];
  for (const match of matches)
    for (const entity of match.shared) if (!linkedBy.includes(entity)) linkedBy.push(entity);
  out.emit(
    survivor.id,
    survivor.sequence,
    'AlertAttached',
    { incidentId: survivor.id, alert: summary, linkedBy },
    time,
    cause,
    ACTOR.correlation,
  );
  const priority = rescore(
    out,
    survivor,
    group,
    summary,
    keys,
    null,
    compiled,
    scoring,
    Math.max(watermark, time),
    cause,
  );
  let campaignId: string | null = null;
  for (const incident of group)
    if (incident.campaignId !== null) {
      campaignId = incident.campaignId;
      break;
    }
  linkCampaigns(
    out,
    tenant,
    { id: survivor.id, ordinal: survivor.ordinal, sequence: survivor.sequence, campaignId },
    group,
    time,
    linkKeys,
    alertRisk(summary),
    priority ?? survivor.priority ?? 0,
    compiled,
    watermark,
    cause,
    ids,
  );
  return out.outputs;
}

function openIncident(
  out: Emission,
  tenant: TenantState | undefined,
  alert: CanonicalAlert,
  summary: AlertSummary,
  keys: AlertKeys,
  linkKeys: readonly string[],
  compiled: TenantCorrelationPolicy,
  scoring: ScoringContext,
  ids: CorrelationIds,
  watermark: EpochMs,
  late: boolean,
  cause: string,
): void {
  const policy = compiled.policy;
  const counter = (tenant?.incidentCounter ?? 0) + 1;
  const incidentId = ids.incidentId(alert.tenantId, alert.alertId, counter);
  out.emit(
    incidentId,
    0,
    'IncidentOpened',
    {
      incidentId,
      title: alert.title,
      firstAlert: summary,
      windowMs: policy.windowMs,
      campaignHorizonMs: policy.campaign.horizonMs,
    },
    alert.observedAt,
    cause,
    ACTOR.correlation,
  );
  if (late) {
    out.emit(
      incidentId,
      0,
      'LateAlertHandled',
      {
        incidentId,
        alert: summary,
        watermark,
        outcome: 'opened-incident',
        reason: `event time ${alert.observedAt - watermark} ms behind the watermark and no incident it belongs to: opened a new one so it is triaged`,
      },
      alert.observedAt,
      cause,
      ACTOR.lateness,
    );
  }
  const subject = { id: incidentId, sequence: 0, priority: null, escalated: false };
  const now = Math.max(watermark, alert.observedAt);
  const priority =
    rescore(out, subject, [], summary, keys, null, compiled, scoring, now, cause) ?? 0;
  linkCampaigns(
    out,
    tenant,
    { id: incidentId, ordinal: counter, sequence: 0, campaignId: null },
    [],
    alert.observedAt,
    linkKeys,
    alertRisk(summary),
    priority,
    compiled,
    watermark,
    cause,
    ids,
  );
}

/** Adjustments a flush makes to an incident's facts before its repeats are folded in. */
interface FlushFacts {
  readonly addedRepeats: number;
  readonly routine: RoutineFacts;
}

/** The facts of `group` (merged, oldest first) plus `alert`, computed without touching the state. */
function factsOf(
  group: readonly OpenIncident[],
  alert: AlertSummary | null,
  keys: AlertKeys | null,
  flush: FlushFacts | null,
): IncidentFacts {
  let rows = 0;
  let alertCount = 0;
  let maxSeverity = 0;
  let severitySum = 0;
  let confidenceSum = 0;
  let confidenceCount = 0;
  let tacticMask = 0;
  let maliciousMax = -1;
  let suspiciousMax = -1;
  let benignVerdicts = 0;
  let unknownVerdicts = 0;
  let lastSeen = -Infinity;
  let routineAlerts = 0;
  const entities: (readonly AlertEntity[])[] = [];
  for (const incident of group) {
    rows += incident.rows;
    alertCount += incident.alertCount;
    if (incident.severityMax > maxSeverity) maxSeverity = incident.severityMax;
    severitySum += incident.severitySum;
    confidenceSum += incident.confidenceSum;
    confidenceCount += incident.confidenceCount;
    tacticMask |= incident.tacticMask;
    if (incident.intelMalicious > maliciousMax) maliciousMax = incident.intelMalicious;
    if (incident.intelSuspicious > suspiciousMax) suspiciousMax = incident.intelSuspicious;
    benignVerdicts += incident.intelBenign;
    unknownVerdicts += incident.intelUnknown;
    if (lastSeenOf(incident) > lastSeen) lastSeen = lastSeenOf(incident);
    routineAlerts += incident.routineAlerts;
    entities.push(incident.entities);
  }

  let distinctRules: number;
  let entityCount: number;
  const alertKeys = keys?.entityKeys ?? [];
  if (group.length === 1) {
    const only = group[0] as OpenIncident;
    distinctRules =
      ruleCount(only) + (alert !== null && !hasRule(only, ruleLabelOf(alert)) ? 1 : 0);
    entityCount = only.entities.length;
    for (const key of alertKeys) if (!only.links.has(key)) entityCount += 1;
  } else if (group.length === 0) {
    distinctRules = alert === null ? 0 : 1;
    entityCount = alertKeys.length;
  } else {
    // A merge: count against the largest incident, so a merge into a big incident costs the
    // size of the small ones.
    const base = largestOf(group);
    const rules = new Set<string>();
    const entityKeys = new Set<string>();
    const addRule = (rule: string): void => {
      if (!hasRule(base, rule)) rules.add(rule);
    };
    for (const incident of group) {
      if (incident === base) continue;
      if (incident.rules === null) addRule(incident.rule);
      else for (const rule of incident.rules) addRule(rule);
      for (const key of incident.links.keys())
        if (!key.startsWith('repeat|') && !base.links.has(key)) entityKeys.add(key);
    }
    if (alert !== null) addRule(ruleLabelOf(alert));
    for (const key of alertKeys) if (!base.links.has(key)) entityKeys.add(key);
    distinctRules = ruleCount(base) + rules.size;
    entityCount = base.entities.length + entityKeys.size;
  }

  if (alert !== null) {
    rows += 1;
    alertCount += 1;
    if (alert.severity > maxSeverity) maxSeverity = alert.severity;
    severitySum += alert.severity;
    if (alert.confidence !== null) {
      confidenceSum += alert.confidence;
      confidenceCount += 1;
    }
    tacticMask = addAttackStages(tacticMask, alert.tactics);
    for (const verdict of alert.threatIntel) {
      if (verdict.verdict === 'malicious') maliciousMax = Math.max(maliciousMax, verdict.score);
      else if (verdict.verdict === 'suspicious')
        suspiciousMax = Math.max(suspiciousMax, verdict.score);
      else if (verdict.verdict === 'benign') benignVerdicts += 1;
      else unknownVerdicts += 1;
    }
    if (alert.observedAt > lastSeen) lastSeen = alert.observedAt;
    entities.push(alert.entities);
  }

  let routine: RoutineFacts;
  if (flush !== null) {
    alertCount += flush.addedRepeats;
    routine = flush.routine;
  } else routine = routineOf(group, routineAlerts);

  return {
    alertCount,
    maxSeverity,
    meanSeverity: rows > 0 ? severitySum / rows : 0,
    distinctRules,
    tacticMask,
    entityCount,
    entities,
    intel: {
      maliciousMax: maliciousMax < 0 ? null : maliciousMax,
      suspiciousMax: suspiciousMax < 0 ? null : suspiciousMax,
      benignVerdicts,
      unknownVerdicts,
    },
    meanConfidence: confidenceCount > 0 ? confidenceSum / confidenceCount : null,
    lastSeen,
    routine,
  };
}

const NO_ROUTINE: RoutineFacts = { alerts: 0, rule: null, intervalCv: null };

function routineOf(group: readonly OpenIncident[], routineAlerts: number): RoutineFacts {
  if (routineAlerts === 0) return NO_ROUTINE;
  let lead: RepeatSeries | null = null;
  for (const incident of group) {
    const candidate = incident.routineLead;
    if (candidate !== null && (lead === null || seriesSize(candidate) > seriesSize(lead)))
      lead = candidate;
  }
  return { alerts: routineAlerts, rule: lead?.rule ?? null, intervalCv: lead?.intervalCv ?? null };
}

interface ScoredSubject {
  readonly id: string;
  readonly sequence: number;
  readonly priority: number | null;
  readonly escalated: boolean;
}

/**
 * Scores the subject and emits IncidentScored when the priority changed (always at open), and
 * IncidentEscalated the first time it reaches the threshold. Returns the new priority, or
 * null when unchanged.
 */
function rescore(
  out: Emission,
  subject: ScoredSubject,
  group: readonly OpenIncident[],
  alert: AlertSummary | null,
  keys: AlertKeys | null,
  flush: FlushFacts | null,
  compiled: TenantCorrelationPolicy,
  scoring: ScoringContext,
  now: EpochMs,
  cause: string,
): number | null {
  const { weights, highPriorityThreshold } = compiled.policy.scoring;
  const facts = factsOf(group, alert, keys, flush);
  const prepared = prepareScore(facts, scoring, weights, now);
  if (prepared.priority === subject.priority) return null;
  const scored: { priority: number; explanation: ScoreExplanation } = prepared.explain();
  out.emit(
    subject.id,
    subject.sequence,
    'IncidentScored',
    {
      incidentId: subject.id,
      priority: scored.priority,
      previousPriority: subject.priority,
      explanation: scored.explanation,
      alertCount: facts.alertCount,
      distinctRules: facts.distinctRules,
      tactics: tacticsOf(group, alert, facts.tacticMask),
      entities: distinctEntities(group, keys),
    },
    now,
    cause,
    ACTOR.scoring,
  );
  if (!subject.escalated && scored.priority >= highPriorityThreshold) {
    out.emit(
      subject.id,
      subject.sequence,
      'IncidentEscalated',
      { incidentId: subject.id, priority: scored.priority, threshold: highPriorityThreshold },
      now,
      cause,
      ACTOR.escalation,
    );
  }
  return scored.priority;
}

/** ATT&CK tactic ids in kill-chain order, then other tactics as given. */
function tacticsOf(
  group: readonly OpenIncident[],
  alert: AlertSummary | null,
  mask: number,
): string[] {
  const tactics: string[] = [];
  ATTACK_STAGES.forEach((stage, index) => {
    if ((mask & (1 << index)) !== 0) tactics.push(stage.id);
  });
  for (const incident of group)
    for (const tactic of incident.otherTactics) if (!tactics.includes(tactic)) tactics.push(tactic);
  if (alert !== null) {
    for (const tactic of alert.tactics)
      if (attackStageOf(tactic) < 0 && !tactics.includes(tactic)) tactics.push(tactic);
  }
  return tactics;
}

/** The incident's distinct entities with the alert's, at most MAX_SCORED_ENTITIES. */
function distinctEntities(group: readonly OpenIncident[], keys: AlertKeys | null): AlertEntity[] {
  const entities: AlertEntity[] = [];
  if (group.length <= 1) {
    const only = group[0];
    if (only !== undefined)
      for (const entity of only.entities)
        if (entities.length < MAX_SCORED_ENTITIES) entities.push(entity);
    if (keys !== null) {
      for (let i = 0; i < keys.entities.length && entities.length < MAX_SCORED_ENTITIES; i += 1) {
        if (only === undefined || !only.links.has(keys.entityKeys[i] as string))
          entities.push(keys.entities[i] as AlertEntity);
      }
    }
    return entities;
  }
  const base = largestOf(group);
  for (const entity of base.entities) {
    if (entities.length >= MAX_SCORED_ENTITIES) return entities;
    entities.push(entity);
  }
  const seen = new Set<string>();
  const add = (entity: AlertEntity, key: string): void => {
    if (seen.has(key) || base.links.has(key) || entities.length >= MAX_SCORED_ENTITIES) return;
    seen.add(key);
    entities.push(entity);
  };
  for (const incident of group) {
    if (incident === base) continue;
    for (const link of incident.links.values())
      if (link.entity !== null) add(link.entity, link.key);
  }
  if (keys !== null)
    keys.entities.forEach((entity, i) => add(entity, keys.entityKeys[i] as string));
  return entities;
}

/** The incident with the most entities (the first of equals). */
function largestOf(group: readonly OpenIncident[]): OpenIncident {
  let largest = group[0] as OpenIncident;
  for (const incident of group)
    if (incident.entities.length > largest.entities.length) largest = incident;
  return largest;
}

interface StreamRef {
  readonly id: string;
  readonly sequence: number;
}

type IncidentRecord = OpenIncident | ClosedIncident;
const isOpen = (record: IncidentRecord): record is OpenIncident => 'links' in record;

/** An incident by id, open or remembered, following merges to the survivor; no allocation. */
function lookupIncident(tenant: TenantState, incidentId: string): IncidentRecord | undefined {
  let id = incidentId;
  for (let hops = 0; hops < 16; hops += 1) {
    const open = tenant.open.get(id);
    if (open !== undefined) {
      if (open.mergedInto === null) return open;
      id = open.mergedInto;
      continue;
    }
    const closed = tenant.closed.get(id);
    if (closed === undefined || closed.mergedInto === null) return closed;
    id = closed.mergedInto;
  }
  return undefined;
}

const firstOf = (record: IncidentRecord): EpochMs =>
  isOpen(record) ? firstSeenOf(record) : record.firstSeen;
const lastOf = (record: IncidentRecord): EpochMs =>
  isOpen(record) ? lastSeenOf(record) : record.lastSeen;

/**
 * The closed incident a late alert belongs to: one that carried one of its linking entities
 * and whose first-to-last-seen span, widened by its window, covers the alert's event time.
 */
function closedHome(
  tenant: TenantState,
  linkKeys: readonly string[],
  time: EpochMs,
): StreamRef | undefined {
  for (const key of linkKeys) {
    const memory = tenant.entities.get(key);
    if (memory === undefined) continue;
    for (const id of memory.incidents) {
      const closed = tenant.closed.get(id);
      if (closed === undefined) continue;
      if (time > closed.firstSeen - closed.windowMs && time < closed.lastSeen + closed.windowMs) {
        return closed.mergedInto === null
          ? closed
          : (lookupIncident(tenant, closed.mergedInto) ?? closed);
      }
    }
  }
  return undefined;
}

interface CampaignSubject {
  readonly id: string;
  readonly ordinal: number;
  readonly sequence: number;
  readonly campaignId: string | null;
}

interface CampaignLink {
  readonly other: IncidentRecord;
  readonly reason: string;
  readonly risk: number;
}

/**
 * Campaign linking over the horizon, after an alert row joined `subject`: for each linking
 * entity of the alert, the other incidents that carried it within the horizon are linked when
 * the entity's accumulated risk (this alert included) reaches the threshold ('entity-risk',
 * open or closed incidents), or when the other incident's short window has closed and both
 * incidents are at least `minPriority` ('shared-entity'). Linked incidents share one
 * campaign: the oldest existing campaign absorbs the others.
 */
function linkCampaigns(
  out: Emission,
  tenant: TenantState | undefined,
  subject: CampaignSubject,
  group: readonly OpenIncident[],
  time: EpochMs,
  linkKeys: readonly string[],
  risk: number,
  priority: number,
  compiled: TenantCorrelationPolicy,
  watermark: EpochMs,
  cause: string,
  ids: CorrelationIds,
): void {
  if (tenant === undefined) return;
  const { riskThreshold, minPriority, horizonMs } = compiled.policy.campaign;
  let links: CampaignLink[] | undefined;
  for (const key of linkKeys) {
    const memory = tenant.entities.get(key);
    // An entry past its horizon counts as gone, however late the sweep that evicts it.
    if (memory === undefined || memory.expiresAt <= time) continue;
    const recent = memory.incidents;
    if (recent.length === 0 || (recent.length === 1 && recent[0] === subject.id)) continue;
    let accumulated = -1;
    for (const id of recent) {
      const other = lookupIncident(tenant, id);
      if (other === undefined || other.id === subject.id) continue;
      if (lastOf(other) + other.horizonMs <= time || firstOf(other) - other.horizonMs >= time)
        continue;
      if (subject.campaignId !== null && other.campaignId === subject.campaignId) continue;
      if (
        group.some((incident) => incident.id === other.id) ||
        links?.some((link) => link.other.id === other.id)
      )
        continue;
      if (accumulated < 0) accumulated = Math.round(accumulatedRisk(memory, time, risk) * 10) / 10;
      const hours = Math.round((horizonMs / 3_600_000) * 10) / 10;
      let reason: string | undefined;
      if (accumulated >= riskThreshold) {
        reason = `accumulated risk of ${key} is ${accumulated} (threshold ${riskThreshold}) within the ${hours} h horizon`;
      } else if (
        priority >= minPriority &&
        (other.priority ?? 0) >= minPriority &&
        (!isOpen(other) || !isOpenAt(other, watermark, compiled.policy))
      ) {
        reason = `shares ${key} with incident ${other.id} within the ${hours} h horizon after its window closed`;
      }
      if (reason !== undefined) (links ??= []).push({ other, reason, risk: accumulated });
    }
  }
  if (links === undefined) return;

  const involved: string[] = [];
  if (subject.campaignId !== null) involved.push(subject.campaignId);
  for (const link of links) {
    if (link.other.campaignId !== null && !involved.includes(link.other.campaignId))
      involved.push(link.other.campaignId);
  }
  let target: string;
  if (involved.length === 0) {
    let root: { readonly id: string; readonly ordinal: number } = subject;
    for (const link of links) if (link.other.ordinal < root.ordinal) root = link.other;
    target = ids.campaignId(tenant.tenantId, root.id);
  } else {
    const rootOf = (campaignId: string): number =>
      tenant.campaigns.get(campaignId)?.rootOrdinal ?? Infinity;
    target = involved.reduce((best, candidate) =>
      rootOf(candidate) < rootOf(best) || (rootOf(candidate) === rootOf(best) && candidate < best)
        ? candidate
        : best,
    );
  }

  const first = links[0] as CampaignLink;
  const maxRisk = links.reduce((max, link) => Math.max(max, link.risk), 0);
  const newlyLinked = links.filter((link) => link.other.campaignId !== target);
  if (subject.campaignId !== target) {
    out.emit(
      subject.id,
      subject.sequence,
      'CampaignLinked',
      {
        incidentId: subject.id,
        campaignId: target,
        linkedIncidentIds: links.map((link) => link.other.id),
        reason: first.reason,
        accumulatedRisk: maxRisk,
      },
      time,
      cause,
      ACTOR.campaign,
    );
  } else if (newlyLinked.length === 0) return;
  for (const link of newlyLinked) {
    out.emit(
      link.other.id,
      link.other.sequence,
      'CampaignLinked',
      {
        incidentId: link.other.id,
        campaignId: target,
        linkedIncidentIds: [subject.id],
        reason: link.reason,
        accumulatedRisk: link.risk,
      },
      time,
      cause,
      ACTOR.campaign,
    );
  }
  // Members of the campaigns folded into the target move with them.
  for (const campaignId of involved) {
    if (campaignId === target) continue;
    for (const member of tenant.campaigns.get(campaignId)?.members ?? []) {
      if (member === subject.id || links.some((link) => link.other.id === member)) continue;
      const record = lookupIncident(tenant, member);
      if (record === undefined || record.id !== member) continue;
      out.emit(
        member,
        record.sequence,
        'CampaignLinked',
        {
          incidentId: member,
          campaignId: target,
          linkedIncidentIds: [],
          reason: `campaign ${campaignId} merged into ${target} through incident ${subject.id}`,
          accumulatedRisk: maxRisk,
        },
        time,
        cause,
        ACTOR.campaign,
      );
    }
  }
}

function decideTick(
  requested: EpochMs,
  state: CorrelationState,
  config: CorrelationConfig,
  ids: CorrelationIds,
): CorrelationOutput[] {
  const outputs: CorrelationOutput[] = [];
  for (const tenant of state.tenants.values()) {
    const compiled = policyFor(config, tenant.tenantId);
    const scoring = scoringContextFor(config, tenant.tenantId);
    const policy = compiled.policy;
    const watermark = Math.max(
      tenant.watermark,
      requested,
      tenant.maxEventTime - policy.allowedLatenessMs,
    );
    if (!Number.isFinite(watermark)) continue;
    const cause = tickCausation(watermark);
    const out = new Emission(ids, tenant.tenantId);
    for (const incidentId of tenant.pending) {
      const incident = tenant.open.get(incidentId);
      if (incident !== undefined) flushRepeats(out, incident, compiled, scoring, watermark, cause);
    }
    const closing: [OpenIncident, 'window-expired' | 'max-span-reached'][] = [];
    for (const incident of dueIncidents(
      tenant.windowDeadlines,
      tenant.minWindowBucket,
      bucketOf(watermark),
    )) {
      if (lastSeenOf(incident) + incident.windowMs <= watermark)
        closing.push([incident, 'window-expired']);
    }
    const spanLimit = watermark - policy.maxIncidentSpanMs;
    for (const incident of dueIncidents(
      tenant.spanStarts,
      tenant.minSpanBucket,
      bucketOf(spanLimit),
    )) {
      if (firstSeenOf(incident) <= spanLimit && !closing.some(([other]) => other === incident)) {
        closing.push([incident, 'max-span-reached']);
      }
    }
    closing.sort(([a], [b]) => a.ordinal - b.ordinal);
    for (const [incident, reason] of closing) {
      out.emit(
        incident.id,
        incident.sequence,
        'IncidentClosed',
        { incidentId: incident.id, reason },
        watermark,
        cause,
        ACTOR.window,
      );
    }
    for (const output of out.outputs) outputs.push(output);
  }
  return outputs;
}

/** Incidents in buckets from `low` to `high`; walks the map's keys when that is shorter. */
function* dueIncidents(
  buckets: Map<number, Set<OpenIncident>>,
  low: number,
  high: number,
): Generator<OpenIncident> {
  if (buckets.size === 0 || high < low) return;
  if (high - low + 1 > buckets.size) {
    for (const [bucket, set] of buckets) if (bucket <= high) yield* set;
    return;
  }
  for (let bucket = low; bucket <= high; bucket += 1) {
    const set = buckets.get(bucket);
    if (set !== undefined) yield* set;
  }
}

/**
 * One AlertRepeatsCounted per series with pending repeats, then a re-score. A series becomes
 * routine when it has at least `routineMinRepeats` repeats whose intervals (over the most
 * recent RHYTHM_SAMPLES occurrences) have a coefficient of variation at most `routineMaxCv`
 * and a mean of at least `routineMinIntervalMs` (a fast burst is not a schedule).
 */
function flushRepeats(
  out: Emission,
  incident: OpenIncident,
  compiled: TenantCorrelationPolicy,
  scoring: ScoringContext,
  watermark: EpochMs,
  cause: string,
): void {
  const { repeats } = compiled.policy;
  let addedRepeats = 0;
  let routineAlerts = incident.routineAlerts;
  let lead: {
    readonly series: RepeatSeries;
    readonly size: number;
    readonly cv: number | null;
  } | null =
    incident.routineLead === null
      ? null
      : {
          series: incident.routineLead,
          size: seriesSize(incident.routineLead),
          cv: incident.routineLead.intervalCv,
        };
  let leadLost = false;
  const flushed: {
    readonly series: RepeatSeries;
    readonly routine: boolean;
    readonly size: number;
    readonly cv: number | null;
  }[] = [];
  for (const series of incident.pendingSeries ?? []) {
    const pendingIds = series.pendingIds ?? [];
    const pendingTimes = series.pendingTimes ?? [];
    addedRepeats += pendingIds.length;
    const total = series.total + pendingIds.length;
    const times = series.times.slice();
    let lastObservedAt = times[times.length - 1] ?? -Infinity;
    for (const time of pendingTimes) {
      insertSortedBounded(times, time, RHYTHM_SAMPLES);
      if (time > lastObservedAt) lastObservedAt = time;
    }
    const rhythm = rhythmOf(times);
    const intervalCv = rhythm === null ? null : Math.round(rhythm.cv * 10_000) / 10_000;
    const routine =
      rhythm !== null &&
      total >= repeats.routineMinRepeats &&
      rhythm.cv <= repeats.routineMaxCv &&
      rhythm.meanMs >= repeats.routineMinIntervalMs;
    out.emit(
      incident.id,
      incident.sequence,
      'AlertRepeatsCounted',
      {
        incidentId: incident.id,
        repeatKey: series.key,
        ruleId: series.ruleId,
        alertIds: pendingIds.slice(),
        observedAts: pendingTimes.slice(),
        lastObservedAt,
        totalRepeats: total,
        routine,
        intervalCv,
      },
      watermark,
      cause,
      ACTOR.repeats,
    );
    const size = series.rows + total;
    routineAlerts += (routine ? size : 0) - (series.routine ? seriesSize(series) : 0);
    flushed.push({ series, routine, size, cv: intervalCv });
    if (routine) {
      if (lead === null || lead.series === series || size > lead.size)
        lead = { series, size, cv: intervalCv };
    } else if (lead?.series === series) leadLost = true;
  }
  if (leadLost) {
    // The largest routine series stopped being routine: find the next largest (rare).
    lead = null;
    for (const series of incident.repeats.values()) {
      const after = flushed.find((entry) => entry.series === series);
      const routine = after?.routine ?? series.routine;
      const size = after?.size ?? seriesSize(series);
      if (routine && (lead === null || size > lead.size))
        lead = { series, size, cv: after?.cv ?? series.intervalCv };
    }
  }
  const routine: RoutineFacts =
    routineAlerts === 0
      ? NO_ROUTINE
      : { alerts: routineAlerts, rule: lead?.series.rule ?? null, intervalCv: lead?.cv ?? null };
  const now = Math.max(watermark, lastSeenOf(incident));
  rescore(
    out,
    incident,
    [incident],
    null,
    null,
    { addedRepeats, routine },
    compiled,
    scoring,
    now,
    cause,
  );
}
