import type { AlertSummary, EpochMs, IncidentEvent, IncidentScoredData } from '@soc/contracts';
import { newFeedbackModel } from '../feedback';
import { evictionCursor } from '../oldest-first';
import { newTenantBaseline } from '../scoring';
import { alertKeysOf, ruleLabelOf, type AlertKeys } from './entity-keys';
import { close, linkCampaign, markMergedInto, merge } from './evolve-merge';
import { reopen } from './evolve-reopen';
import { applyVerdict, forgetExpiredVerdicts } from './evolve-intel';
import { applyFeedback, applyHeldFeedback, followUp } from './evolve-feedback';
import { applyPending, countRepeats } from './evolve-repeats';
import { applyTenantPolicy } from './tenant-policy';
import { addRow, noteEventTime, openIncident } from './evolve-rows';
import { forgetClosed, recordBudget } from './budgets';
import { unattachedStreamId } from './ids';
import { DEFAULT_TENANT_BUDGETS } from './policy';
import { noteAlertClocks } from './source-clocks';
import {
  bucketOf,
  SWEEP_INTERVAL_MS,
  type CorrelationOutput,
  type CorrelationState,
  type TenantState,
} from './state';

/**
 * The keys of the alert a decision was about, computed once for the decider; the fold uses
 * them for that alert's row instead of deriving them again. A replayed event has none.
 */
export interface KnownKeys {
  readonly alertId: string;
  readonly keys: AlertKeys;
}

/**
 * Folds one decider output into the state, in place, and returns the state. Needs no
 * configuration: everything a decision depended on is in the event (the window and horizon
 * the incident opened under, the alerts themselves), so a replay after a configuration change
 * rebuilds the same state and only new decisions follow the new configuration.
 */
export function evolveCorrelation(
  state: CorrelationState,
  output: CorrelationOutput,
  known?: KnownKeys,
): CorrelationState {
  const tenant = tenantOf(state, output.tenantId);
  if (output.type === 'RepeatPending') {
    applyPending(tenant, output);
    return state;
  }
  apply(tenant, output, known);
  noteSequence(tenant, output);
  // Alert causations never start with `tick:` (alertCausation escapes them).
  if (output.causationId.startsWith('tick:')) noteWatermark(tenant, output.occurredAt);
  return state;
}

const keysOf = (alert: AlertSummary, known: KnownKeys | undefined): AlertKeys =>
  known !== undefined && known.alertId === alert.alertId ? known.keys : alertKeysOf(alert);

function apply(tenant: TenantState, event: IncidentEvent, known: KnownKeys | undefined): void {
  switch (event.type) {
    case 'IncidentOpened': {
      const { incidentId, title, windowMs, campaignHorizonMs, firstAlert } = event.data;
      const rule = ruleLabelOf(firstAlert);
      const opened = { id: incidentId, title, windowMs, horizonMs: campaignHorizonMs, rule };
      noteAlertClocks(tenant, firstAlert);
      const incident = openIncident(tenant, opened);
      addRow(tenant, incident, { alert: firstAlert, keys: keysOf(firstAlert, known) });
      return;
    }
    case 'AlertAttached': {
      const incident = tenant.open.get(event.data.incidentId);
      const alert = event.data.alert;
      noteAlertClocks(tenant, alert);
      if (incident !== undefined) addRow(tenant, incident, { alert, keys: keysOf(alert, known) });
      return;
    }
    case 'AlertRepeatsCounted':
    case 'IncidentRepeatsCounted':
      return countRepeats(tenant, event.data);
    case 'AlertSuppressed':
    case 'LateAlertHandled':
      noteAlertClocks(tenant, event.data.alert);
      return noteEventTime(tenant, event.data.alert.observedAt);
    case 'IncidentsMerged':
      return merge(tenant, event.data.incidentId, event.data.absorbedIncidentId);
    case 'IncidentMergedInto':
      return markMergedInto(tenant, event.data.incidentId, event.data.survivorIncidentId);
    case 'IncidentScored':
      return applyScore(tenant, event.data);
    case 'IncidentEscalated':
      return markEscalated(tenant, event.data.incidentId);
    case 'CampaignLinked':
      return linkCampaign(tenant, event.data.incidentId, event.data.campaignId);
    case 'IncidentClosed':
      return close(tenant, event.data.incidentId);
    case 'IncidentReopened':
      return reopen(tenant, event.data.incidentId);
    case 'IntelVerdictApplied':
      return applyVerdict(tenant, event.data);
    case 'FeedbackApplied':
      return applyFeedback(tenant, event.data);
    case 'FeedbackHeld':
    case 'HeldFeedbackExpired':
      return applyHeldFeedback(tenant, event);
    case 'ClosedIncidentFollowedUp':
      return followUp(tenant, event.data);
    case 'TenantBudgetExceeded':
      return recordBudget(tenant, event.data);
    case 'TenantPolicyApplied':
      return applyTenantPolicy(tenant, event.data);
    default: {
      const unreachable: never = event;
      throw new Error(`unhandled incident event ${JSON.stringify(unreachable)}`);
    }
  }
}

function markEscalated(tenant: TenantState, incidentId: string): void {
  const incident = tenant.open.get(incidentId);
  if (incident !== undefined) incident.escalated = true;
}

function applyScore(tenant: TenantState, { incidentId, priority }: IncidentScoredData): void {
  const target = tenant.open.get(incidentId) ?? tenant.closed.get(incidentId);
  if (target === undefined) return;
  target.priority = priority;
  if ('retained' in target && target.retained !== null) target.retained.priority = priority;
}

function tenantOf(state: CorrelationState, tenantId: string): TenantState {
  let tenant = state.tenants.get(tenantId);
  if (tenant === undefined) {
    tenant = {
      tenantId,
      incidentCounter: 0,
      unattachedSequence: 0,
      watermark: -Infinity,
      maxEventTime: -Infinity,
      newestArrival: -Infinity,
      sources: new Map(),
      sweptAt: -Infinity,
      sweepEveryMs: SWEEP_INTERVAL_MS,
      open: new Map(),
      index: new Map(),
      closedIndex: new Map(),
      windowDeadlines: new Map(),
      spanStarts: new Map(),
      minWindowBucket: Infinity,
      minSpanBucket: Infinity,
      entities: new Map(),
      rareRules: new Map(),
      closed: new Map(),
      campaigns: new Map(),
      pending: new Set(),
      baseline: newTenantBaseline(),
      intel: new Map(),
      intelCount: 0,
      feedback: newFeedbackModel(),
      alertIncidents: new Map(),
      heldFeedback: new Map(),
      budgets: DEFAULT_TENANT_BUDGETS,
      budgetsReached: new Set(),
      retainedKeys: 0,
      evictions: {
        entities: evictionCursor(),
        closed: evictionCursor(),
        alertIncidents: evictionCursor(),
        intel: evictionCursor(),
      },
      policyVersion: 0,
      policy: null,
    };
    state.tenants.set(tenantId, tenant);
  }
  return tenant;
}

function noteSequence(tenant: TenantState, event: IncidentEvent): void {
  if (event.data.incidentId === null && event.streamId === unattachedStreamId(tenant.tenantId)) {
    tenant.unattachedSequence = event.sequence;
    return;
  }
  const target = tenant.open.get(event.streamId) ?? tenant.closed.get(event.streamId);
  if (target === undefined) return;
  target.sequence = event.sequence;
  if ('retained' in target && target.retained !== null) target.retained.sequence = event.sequence;
}

/** Tick-caused events carry the watermark as their event time; old memory is swept then. */
function noteWatermark(tenant: TenantState, watermark: EpochMs): void {
  if (watermark > tenant.watermark) tenant.watermark = watermark;
  // Every incident whose window deadline lies in a bucket wholly below the watermark was
  // closed by the tick that caused this event, so those buckets are empty.
  const settled = bucketOf(watermark);
  if (tenant.minWindowBucket < settled) tenant.minWindowBucket = settled;
  if (watermark < tenant.sweptAt + tenant.sweepEveryMs) return;
  tenant.sweptAt = watermark;
  sweep(tenant, watermark);
}

/** Forgets entities, closed incidents and campaigns past their horizon. */
function sweep(tenant: TenantState, watermark: EpochMs): void {
  for (const [key, memory] of tenant.entities)
    if (memory.expiresAt <= watermark) tenant.entities.delete(key);
  for (const [rule, memory] of tenant.rareRules)
    if (memory.expiresAt <= watermark) tenant.rareRules.delete(rule);
  forgetExpiredVerdicts(tenant, watermark);
  for (const [id, closed] of tenant.closed)
    if (closed.expiresAt <= watermark) forgetClosed(tenant, id);
  for (const [id, campaign] of tenant.campaigns) {
    const live = campaign.members.filter(
      (member) => tenant.open.has(member) || tenant.closed.has(member),
    );
    if (live.length === 0) tenant.campaigns.delete(id);
    else if (live.length < campaign.members.length)
      campaign.members.splice(0, campaign.members.length, ...live);
  }
}
