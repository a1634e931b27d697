import type { AlertSummary } from '@soc/contracts';
import { CORRELATION_ACTORS as ACTOR, type Decision, type StreamRef } from './context';

type LateOutcome = 'attached-to-open-incident' | 'opened-incident' | 'dropped-window-closed';

/** Says what became of an alert behind the watermark (LateAlertHandled), and why. */
export function noteLate(
  ctx: Decision,
  stream: StreamRef,
  late: { readonly alert: AlertSummary; readonly outcome: LateOutcome },
): void {
  const behind = `event time ${ctx.time - ctx.watermark} ms behind the watermark`;
  const data = {
    incidentId: stream.id,
    alert: late.alert,
    watermark: ctx.watermark,
    outcome: late.outcome,
    reason: `${behind}${REASONS[late.outcome](stream.id)}`,
  };
  ctx.emit(stream, 'LateAlertHandled', data, { actor: ACTOR.lateness });
}

const REASONS: Record<LateOutcome, (incidentId: string) => string> = {
  'attached-to-open-incident': (id) => `; incident ${id} is still open`,
  'opened-incident': () => ' and no incident it belongs to: opened a new one so it is triaged',
  'dropped-window-closed': (id) =>
    `; it belongs to incident ${id}, whose window has closed: recorded there, the closed incident is not changed`,
};
