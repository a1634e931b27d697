import type { EpochMs } from '@soc/contracts';
import type { CorrelationPolicy } from './policy';
import {
  firstSeenOf,
  lastSeenOf,
  type ClosedIncident,
  type OpenIncident,
  type TenantState,
} from './state';

export type IncidentRecord = OpenIncident | ClosedIncident;

export const isOpen = (record: IncidentRecord): record is OpenIncident => 'links' in record;

/** Open while its last alert plus the window and its first alert plus the max span lie beyond the watermark. */
export const isOpenAt = (
  incident: OpenIncident,
  watermark: EpochMs,
  policy: CorrelationPolicy,
): boolean =>
  lastSeenOf(incident) + incident.windowMs > watermark &&
  firstSeenOf(incident) + policy.maxIncidentSpanMs > watermark;

export const olderFirst = (a: OpenIncident, b: OpenIncident): number =>
  firstSeenOf(a) - firstSeenOf(b) || a.ordinal - b.ordinal;

export const firstOf = (record: IncidentRecord): EpochMs =>
  isOpen(record) ? firstSeenOf(record) : record.firstSeen;
export const lastOf = (record: IncidentRecord): EpochMs =>
  isOpen(record) ? lastSeenOf(record) : record.lastSeen;

/** The incident with the most entities (the first of equals). */
export function largestOf(group: readonly OpenIncident[]): OpenIncident {
  let largest = group[0] as OpenIncident;
  for (const incident of group)
    if (incident.entities.length > largest.entities.length) largest = incident;
  return largest;
}

/** An incident by id, open or remembered, following merges to the survivor; no allocation. */
export function lookupIncident(
  tenant: TenantState,
  incidentId: string,
): IncidentRecord | undefined {
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
