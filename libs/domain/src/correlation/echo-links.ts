import type { EpochMs } from '@soc/contracts';
import type { RareFinding } from '../scoring';
import type { Decision } from './context';
import type { IncidentRecord } from './lookups';
import { isRevision } from './revise';
import type { ClosedIncident, OpenIncident, TenantState } from './state';

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
 * A remembered closed incident a revising (late) row looks through as if it were open: its
 * alerts span the row's time, so time order found it open. Returns the incident as it was
 * when it closed, or null.
 */
function openAtTimeOf(closed: ClosedIncident, time: EpochMs): OpenIncident | null {
  if (closed.retained === null) return null;
  const spans = closed.firstSeen - ECHO_WINDOW_MS < time && time < closed.lastSeen + ECHO_WINDOW_MS;
  return spans ? closed.retained : null;
}

/** Why the row's finding echoes the incident's, or null when it does not. */
function echoReason(
  ctx: Decision,
  { incident, finding }: { readonly incident: OpenIncident; readonly finding: RareFinding },
): string | null {
  if (incident.mergedInto !== null) return null;
  const echo = incident.evidence.findings.find(
    (seen) => seen.rule === finding.rule && seen.entityKey !== finding.entityKey,
  );
  if (echo === undefined || isNew(finding) === isNew(echo)) return null;
  if (!firedNear(incident, finding.rule, ctx.time)) return null;
  const [fresh, known] = isNew(finding) ? [finding, echo] : [echo, finding];
  return (
    `rule ${finding.rule}, new on ${words(fresh.entityKey)}, fired rare on ` +
    `${words(known.entityKey)} at the same moment: one activity seen on two hosts`
  );
}

/**
 * One activity seen on two hosts (a network sensor and the host it targets, the attacked
 * server's log and the firewall's): the row's rule is rare where it fired, the same rule
 * fired rare on another host's incident open at the row's time less than ECHO_WINDOW_MS
 * apart, and it is new on one of the two hosts and known on the other (the sensor that saw it
 * before sees it again as it appears on the host). Rare on both but new on neither is not
 * enough (busy hosts share rare rules all day), nor new on both (a known job starting on
 * several hosts at once), nor the same rule minutes apart. A late row also looks through the
 * closed incidents that were open at its time (closed since by other sources' watermark).
 */
export function echoLinks(
  ctx: Decision,
  { tenant, finding }: { readonly tenant: TenantState; readonly finding: RareFinding },
): EchoLink[] {
  const links: EchoLink[] = [];
  for (const incident of tenant.open.values()) {
    const reason = echoReason(ctx, { incident, finding });
    if (reason !== null) links.push({ other: incident, reason });
  }
  if (!isRevision(ctx)) return links;
  for (const closed of tenant.closed.values()) {
    const incident = openAtTimeOf(closed, ctx.time);
    const reason = incident === null ? null : echoReason(ctx, { incident, finding });
    if (reason !== null) links.push({ other: closed, reason });
  }
  return links;
}
