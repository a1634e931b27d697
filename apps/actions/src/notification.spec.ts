import {
  alertSuppressed,
  anAlertSummary,
  incidentClosed,
  incidentMergedInto,
  liveIncident,
  incidentEscalated,
  ip,
  T0,
} from '../../../test/support/incident-events';
import { IncidentTracker } from './incident-tracker';

describe('incident notifications', () => {
  const opened = liveIncident('tenant-a', 'inc-1', T0, { priority: 70, hostName: 'ws-9' });

  it('tells an opening with the incident as it stands and a key of tenant, incident and sequence', () => {
    const tracker = new IncidentTracker();
    const notification = tracker.apply(opened[0]!);
    expect(notification).toMatchObject({
      idempotencyKey: 'tenant-a/inc-1/1',
      details: { change: 'opened' },
      incident: { incidentId: 'inc-1', title: 'Suspicious PowerShell on ws-9', escalated: false },
    });
    expect(notification?.newEntities.map((e) => e.value)).toEqual(['ws-9', 'corp\\bob']);
  });

  it('reports only the entities a change added', () => {
    const tracker = new IncidentTracker();
    tracker.apply(opened[0]!);
    const attached = tracker.apply(opened[1]!);
    expect(attached?.details).toEqual({ change: 'updated', eventType: 'AlertAttached' });
    expect(attached?.newEntities).toEqual([
      { type: 'ip', value: ip('10.0.0.5').value, role: 'destination' },
    ]);
  });

  it('tells an escalation with its priority and threshold, on an incident marked escalated', () => {
    const tracker = new IncidentTracker();
    opened.forEach((event) => tracker.apply(event));
    const escalated = tracker.apply(
      incidentEscalated('inc-1', 88, { tenantId: 'tenant-a', sequence: 4 }),
    );
    expect(escalated?.details).toEqual({ change: 'escalated', priority: 88, threshold: 80 });
    expect(escalated?.incident).toMatchObject({ escalated: true, priority: 70, alertCount: 2 });
  });

  it('says nothing for a redelivered event, a suppressed alert or the absorbed side of a merge', () => {
    const tracker = new IncidentTracker();
    tracker.apply(opened[0]!);
    expect(tracker.apply(opened[0]!)).toBeNull();
    expect(
      tracker.apply(
        alertSuppressed('inc-1', anAlertSummary(), { tenantId: 'tenant-a', sequence: 2 }),
      ),
    ).toBeNull();
    expect(
      tracker.apply(incidentMergedInto('inc-1', 'inc-0', { tenantId: 'tenant-a', sequence: 3 })),
    ).toBeNull();
  });

  it('forgets an incident once it closed', () => {
    const tracker = new IncidentTracker();
    opened.forEach((event) => tracker.apply(event));
    const closed = tracker.apply(
      incidentClosed('inc-1', 'window-expired', { tenantId: 'tenant-a', sequence: 4 }),
    );
    expect(closed?.details).toEqual({ change: 'closed', reason: 'window-expired' });
    expect(tracker.size).toBe(0);
  });
});
