import type { DecidedAlert } from './alert-input';
import { linkCampaigns } from './campaign';
import { CORRELATION_ACTORS as ACTOR, type Decision } from './context';
import { noteLate } from './late';
import { rescore } from './rescore';
import { scoreTimeOf } from './revise';

/** A new incident for an alert related to no open one: opened, scored, linked to campaigns. */
export function openIncident(ctx: Decision, input: DecidedAlert): void {
  const { alert, summary } = input;
  const counter = (ctx.tenant?.incidentCounter ?? 0) + 1;
  const incidentId = ctx.ids.incidentId(alert.tenantId, alert.alertId, counter);
  const stream = { id: incidentId, sequence: 0 };
  const opened = {
    incidentId,
    title: alert.title,
    firstAlert: summary,
    windowMs: ctx.policy.windowMs,
    campaignHorizonMs: ctx.policy.campaign.horizonMs,
  };
  ctx.emit(stream, 'IncidentOpened', opened, { actor: ACTOR.correlation });
  if (ctx.time < ctx.watermark)
    noteLate(ctx, stream, { alert: summary, outcome: 'opened-incident' });
  const subject = { id: incidentId, sequence: 0, priority: null, escalated: false };
  const priority = rescore(ctx, { subject, group: [], row: input, at: scoreTimeOf(ctx) }) ?? 0;
  linkCampaigns(ctx, {
    subject: { id: incidentId, sequence: 0, ordinal: counter, campaignId: null },
    group: [],
    input,
    priority,
  });
}
