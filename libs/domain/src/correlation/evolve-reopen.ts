import { forgetClosed } from './budgets';
import { addToBucket } from './evolve-rows';
import { indexAdd, indexRemove } from './links';
import { bucketOf, type TenantState } from './state';

/**
 * IncidentReopened: the retained incident is open again, as it was when it closed: indexed by
 * its links and due in its deadline buckets (which may lie below the watermark: the next tick
 * closes it again unless an alert extends it).
 */
export function reopen(tenant: TenantState, incidentId: string): void {
  const closed = tenant.closed.get(incidentId);
  const incident = closed?.retained;
  if (closed === undefined || incident === undefined || incident === null) return;
  forgetClosed(tenant, incidentId);
  tenant.open.set(incidentId, incident);
  for (const link of incident.links.values()) {
    indexRemove(tenant.closedIndex, link);
    indexAdd(tenant.index, link);
  }
  incident.windowBucket = bucketOf(incident.lastSeen + incident.windowMs);
  addToBucket(tenant.windowDeadlines, incident.windowBucket, incident);
  if (incident.windowBucket < tenant.minWindowBucket)
    tenant.minWindowBucket = incident.windowBucket;
  incident.spanBucket = bucketOf(incident.firstSeen);
  addToBucket(tenant.spanStarts, incident.spanBucket, incident);
  if (incident.spanBucket < tenant.minSpanBucket) tenant.minSpanBucket = incident.spanBucket;
}
