import { linkingEntities, summarize, type DecidedAlert } from './alert-input';
import { attachAlert } from './attach';
import { makeRoomForIncident, overBudget } from './budgets';
import { candidatesFor, type Match } from './candidates';
import { guardClockSkew } from './clock-skew';
import { policyFor, type CorrelationConfig } from './config';
import { Decision } from './context';
import { alertKeysOf, type AlertKeys } from './entity-keys';
import { decideFeedback, decideFeedbackRescore } from './feedback-decide';
import { decideHeldFeedback } from './held-feedback-decide';
import { foldRepeat, isRepeat } from './fold-repeats';
import { followUpsOf, recordFollowUps } from './follow-up';
import { alertCausation, type CorrelationIds } from './ids';
import { decideIntel, decideRememberedIntel } from './intel-decide';
import { noteLate } from './late';
import { mergeMatches } from './merge';
import { openIncident } from './open';
import { reopenMatches } from './revise';
import type { AlertInput, CorrelationInput, CorrelationOutput, CorrelationState } from './state';
import { suppress } from './suppress';
import { decideTenantConfig } from './tenant-policy';
import { decideTick } from './tick';
import { tenantWatermarkOf } from './watermark';

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
 * - Watermark: see `watermarkOf`; the floor is the one recorded by the last tick-caused event.
 *   Ticks move it, flush pending repeat counters, and close incidents whose last alert plus
 *   the window (or first alert plus the max span) it has passed.
 * - Late alerts (event time behind the watermark) are never lost: they join an open incident
 *   they relate to; otherwise they are recorded on the closed incident they belong to
 *   ('dropped-window-closed': closed incidents stay immutable); otherwise they open a new
 *   incident so they are still triaged. Each case emits LateAlertHandled saying which.
 * - Repeats of a repeat key already in the incident are folded: RepeatPending now, one
 *   IncidentRepeatsCounted per incident at the next flush, a counter per series in it. A series is routine when its intervals
 *   are steady (see flushRepeats); routine alerts score down, and a new rule on the same
 *   entities is a new series, so it attaches as a row and re-scores.
 * - Campaigns: see linkCampaigns.
 */

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
  switch (input.kind) {
    case 'alert':
      return decideAlert(input, { state, config, ids });
    case 'tick':
      return decideTick(input, { state, config, ids });
    case 'intel':
      return decideIntel(input, { state, config, ids });
    case 'remembered-intel':
      return decideRememberedIntel(input, { state, config, ids });
    case 'feedback':
      return decideFeedback(input, { state, config, ids });
    case 'feedback-rescore':
      return decideFeedbackRescore(input, { state, config, ids });
    case 'held-feedback':
      return decideHeldFeedback(input, { state, config, ids });
    case 'tenant-config':
      return decideTenantConfig(input, { state, config, ids });
    default: {
      const unreachable: never = input;
      return unreachable;
    }
  }
}

export interface DeciderParts {
  readonly state: CorrelationState;
  readonly config: CorrelationConfig;
  readonly ids: CorrelationIds;
}

function decideAlert(input: AlertInput, { state, config, ids }: DeciderParts): CorrelationOutput[] {
  const tenant = state.tenants.get(input.alert.tenantId);
  const compiled = policyFor(config, input.alert.tenantId, tenant);
  const { alert, summary } = guardClockSkew(
    input.alert,
    summarize(input.alert),
    compiled.policy.maxClockSkewMs,
  );
  const watermark = tenant === undefined ? -Infinity : tenantWatermarkOf(tenant, compiled.policy);
  const ctx = new Decision({
    tenantId: alert.tenantId,
    tenant,
    config,
    ids,
    time: alert.observedAt,
    watermark,
    cause: alertCausation(alert.alertId),
  });
  if (suppress(ctx, { alert, summary })) return ctx.outputs;
  const keys = input.keys ?? alertKeysOf(summary);
  announceBudgets(ctx, keys);
  correlate(ctx, { alert, summary, keys, links: linkingEntities(keys, ctx.compiled) });
  return ctx.outputs;
}

/** The alert's keys new to the tenant, against the linked-keys and tracked-entities budgets. */
function announceBudgets(ctx: Decision, keys: AlertKeys): void {
  const tenant = ctx.tenant;
  let unlinked = tenant?.index.has(keys.repeatKey) === true ? 0 : 1;
  let untracked = 0;
  for (const key of keys.entityKeys) {
    if (tenant?.index.has(key) !== true) unlinked += 1;
    if (tenant?.entities.has(key) !== true) untracked += 1;
  }
  overBudget(ctx, { budget: 'linked-keys', incoming: unlinked });
  overBudget(ctx, { budget: 'tracked-entities', incoming: untracked });
}

/** An alert that is not suppressed: opens, joins (reopening what it revises), merges or repeats. */
function correlate(ctx: Decision, input: DecidedAlert): void {
  const followUps = followUpsOf(candidatesFor(ctx, input));
  join(ctx, { input, matches: followUps.matches });
  recordFollowUps(ctx, { followUps, input });
}

function join(
  ctx: Decision,
  { input, matches }: { readonly input: DecidedAlert; readonly matches: readonly Match[] },
): void {
  if (matches.length === 0) {
    makeRoomForIncident(ctx);
    openIncident(ctx, input);
    return;
  }
  const survivor = (matches[0] as Match).incident;
  const reopened = matches.some(({ incident }) => ctx.tenant?.closed.has(incident.id));
  if (reopened) reopenMatches(ctx, { matches, alertId: input.alert.alertId });
  if (ctx.time < ctx.watermark) {
    const outcome = reopened ? 'reopened-closed-incident' : 'attached-to-open-incident';
    noteLate(ctx, survivor, { alert: input.summary, outcome });
  }
  const group = mergeMatches(ctx, { matches, bridgingAlertId: input.alert.alertId });
  if (isRepeat(ctx, { group, input })) foldRepeat(ctx, { group, input });
  else attachAlert(ctx, { group, matches, input });
}
