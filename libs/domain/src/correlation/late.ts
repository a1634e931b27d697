import type { AlertSummary, LateAlertHandledData } from '@soc/contracts';
import { CORRELATION_ACTORS as ACTOR, type Decision, type StreamRef } from './context';

type LateOutcome = Exclude<LateAlertHandledData['outcome'], 'dropped-window-closed'>;

/** Says what became of an alert behind the watermark (LateAlertHandled), and why. */
export function noteLate(
  ctx: Decision,
  stream: StreamRef,
  late: { readonly alert: AlertSummary; readonly outcome: LateOutcome },
): void {
  const behindMs = ctx.watermark - ctx.time;
  const beyond = behindMs > ctx.policy.revisionHorizonMs;
  const horizon = beyond
    ? `, beyond the revision horizon of ${ctx.policy.revisionHorizonMs} ms: closed incidents are not revised`
    : '';
  const data = {
    incidentId: stream.id,
    alert: late.alert,
    watermark: ctx.watermark,
    outcome: late.outcome,
    reason: `event time ${behindMs} ms behind the watermark${horizon}${REASONS[late.outcome](stream.id)}`,
  };
  ctx.emit(stream, 'LateAlertHandled', data, { actor: ACTOR.lateness });
}

const REASONS: Record<LateOutcome, (incidentId: string) => string> = {
  'attached-to-open-incident': (id) => `; incident ${id} is still open`,
  'opened-incident': () => '; no open incident it belongs to: opened a new one so it is triaged',
  'reopened-closed-incident': (id) =>
    `; it belongs to incident ${id}, whose window had closed: reopened it and joined`,
};
