import type { RareFinding } from '../scoring';
import type { Decision } from './context';
import type { IncidentRecord } from './lookups';
import { isRevision } from './revise';
import type { OpenIncident, TenantState } from './state';

/** Two sensors reporting one activity stamp it within seconds of each other; this allows for skew. */
export const ECHO_WINDOW_MS = 2 * 60_000;

/** Another incident where the row's rule fired rare on another host at the same moment. */
export interface EchoLink {
  readonly other: IncidentRecord;
  readonly reason: string;
}

const words = (entityKey: string): string => entityKey.replace(':', ' ');
const isNew = (finding: RareFinding): boolean => finding.ruleOnEntity < 0.5;

/** Whether the incident has a firing of the rule less than the echo window from `time`. */
function firedNear(incident: OpenIncident, rule: string, time: number): boolean {
  for (const series of incident.repeats.values())
    if (series.rule === rule && series.times.some((at) => Math.abs(at - time) < ECHO_WINDOW_MS))
      return true;
  return false;
}

/**
 * The incidents that were open at the decision's time: the open ones, and for a revising
 * (late) row the remembered closed ones whose alerts span its time, as they were when they
 * closed. Time order found those open; a late detector's row must find them too.
 */
function* openAtTime(
  ctx: Decision,
  tenant: TenantState,
): Generator<[IncidentRecord, OpenIncident]> {
  for (const incident of tenant.open.values()) yield [incident, incident];
  if (!isRevision(ctx)) return;
  for (const closed of tenant.closed.values()) {
    const retained = closed.retained;
    if (retained === null) continue;
    if (closed.firstSeen - ECHO_WINDOW_MS < ctx.time && ctx.time < closed.lastSeen + ECHO_WINDOW_MS)
      yield [closed, retained];
  }
}

/**
 * One activity seen on two hosts (a network sensor and the host it targets, the attacked
 * server's log and the firewall's): the row's rule is rare where it fired, the same rule
 * fired rare on another host's open incident less than ECHO_WINDOW_MS apart, and it is new on
 * one of the two hosts and known on the other (the sensor that saw it before sees it again as
 * it appears on the host). Rare on both but new on neither is not enough (busy hosts share
 * rare rules all day), nor new on both (a known job starting on several hosts at once), nor
 * the same rule minutes apart.
 */
export function echoLinks(
  ctx: Decision,
  { tenant, finding }: { readonly tenant: TenantState; readonly finding: RareFinding },
): EchoLink[] {
  const links: EchoLink[] = [];
  for (const [other, incident] of openAtTime(ctx, tenant)) {
    if (incident.mergedInto !== null) continue;
    const echo = incident.evidence.findings.find(
      (seen) => seen.rule === finding.rule && seen.entityKey !== finding.entityKey,
    );
    if (echo === undefined || isNew(finding) === isNew(echo)) continue;
    if (!firedNear(incident, finding.rule, ctx.time)) continue;
    const [fresh, known] = isNew(finding) ? [finding, echo] : [echo, finding];
    links.push({
      other,
      reason:
        `rule ${finding.rule}, new on ${words(fresh.entityKey)}, fired rare on ` +
        `${words(known.entityKey)} at the same moment: one activity seen on two hosts`,
    });
  }
  return links;
}
