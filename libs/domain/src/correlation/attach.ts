import type { AlertEntity } from '@soc/contracts';
import type { DecidedAlert } from './alert-input';
import { linkCampaigns } from './campaign';
import type { Match } from './candidates';
import { CORRELATION_ACTORS as ACTOR, type Decision } from './context';
import { rescore } from './rescore';
import { scoreTimeOf } from './revise';
import type { OpenIncident } from './state';

/**
 * A new alert row joins the survivor of its matches (merged already into `group`): attached
 * with the entities that linked it, re-scored, and linked to campaigns.
 */
export function attachAlert(
  ctx: Decision,
  {
    group,
    matches,
    input,
  }: {
    readonly group: readonly OpenIncident[];
    readonly matches: readonly Match[];
    readonly input: DecidedAlert;
  },
): void {
  const survivor = group[0] as OpenIncident;
  const linkedBy: AlertEntity[] = [];
  for (const match of matches)
    for (const entity of match.shared) if (!linkedBy.includes(entity)) linkedBy.push(entity);
  const data = { incidentId: survivor.id, alert: input.summary, linkedBy };
  ctx.emit(survivor, 'AlertAttached', data, { actor: ACTOR.correlation });
  const priority = rescore(ctx, { subject: survivor, group, row: input, at: scoreTimeOf(ctx) });
  const campaignId = group.find((incident) => incident.campaignId !== null)?.campaignId ?? null;
  linkCampaigns(ctx, {
    subject: {
      id: survivor.id,
      ordinal: survivor.ordinal,
      sequence: survivor.sequence,
      campaignId,
    },
    group,
    input,
    priority: priority ?? survivor.priority ?? 0,
  });
}
