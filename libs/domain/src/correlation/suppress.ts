import type { DecidedAlert } from './alert-input';
import { CORRELATION_ACTORS as ACTOR, type Decision } from './context';
import { unattachedStreamId } from './ids';

/**
 * A suppressed alert is recorded on the tenant's unattached stream (never dropped) and joins
 * no incident. Returns whether a suppression matched.
 */
export function suppress(
  ctx: Decision,
  { alert, summary }: Pick<DecidedAlert, 'alert' | 'summary'>,
): boolean {
  const suppression = ctx.compiled.suppressionFor(alert);
  if (suppression === undefined) return false;
  const stream = {
    id: unattachedStreamId(ctx.tenantId),
    sequence: ctx.tenant?.unattachedSequence ?? 0,
  };
  const data = {
    incidentId: null,
    alert: summary,
    suppressionRuleId: suppression.id,
    reason: suppression.reason,
  };
  ctx.emit(stream, 'AlertSuppressed', data, { actor: ACTOR.suppression });
  return true;
}
