import { incidentEscalated, liveIncident, T0 } from '../../../../test/support/incident-events';
import { IncidentTracker } from '../incident-tracker';
import type { IncidentNotification } from '../notification';
import { slackMessage } from './slack';
import { alertUpdate, newAlert, theHiveSeverity } from './thehive-alert';
import { webhookBody } from './webhook-body';

function escalation(title = 'Suspicious PowerShell on ws-1'): IncidentNotification {
  const tracker = new IncidentTracker();
  const events = [
    ...liveIncident('tenant-a', 'inc-1', T0, { priority: 93, title }),
    incidentEscalated('inc-1', 93, { tenantId: 'tenant-a', sequence: 4 }),
  ];
  return events.map((event) => tracker.apply(event)).at(-1) as IncidentNotification;
}

describe('receiver bodies', () => {
  it('webhook v1 carries the change, the key and the incident with ISO times', () => {
    expect(webhookBody(escalation())).toMatchObject({
      version: 1,
      id: 'tenant-a/inc-1/4',
      type: 'incident.escalated',
      change: { priority: 93, threshold: 80 },
      incident: { id: 'inc-1', priority: 93, firstSeen: new Date(T0).toISOString() },
    });
  });

  it('Slack text escapes mrkdwn control characters and the header stays within 150 characters', () => {
    const message = slackMessage(escalation(`<script> & ${'x'.repeat(200)}`)) as {
      text: string;
      blocks: { type: string; text?: { text: string } }[];
    };
    expect(message.text.startsWith('[SOC P93] &lt;script&gt; &amp; x')).toBe(true);
    expect(message.blocks[0]?.text?.text.length).toBe(150);
  });

  it('TheHive alert: severity from priority, observables from entities, tags for tenant and tactics', () => {
    expect([10, 40, 70, 90].map(theHiveSeverity)).toEqual([1, 2, 3, 4]);
    const alert = newAlert(escalation(), { type: 'soc-incident', source: 'soc' });
    expect(alert).toMatchObject({
      type: 'soc-incident',
      source: 'soc',
      sourceRef: 'tenant-a/inc-1',
      severity: 4,
      tags: ['soc:tenant=tenant-a', 'mitre:TA0002', 'mitre:TA0006'],
    });
    expect(alert.observables).toEqual([
      { dataType: 'hostname', data: 'ws-07', tags: ['soc:entity=host'] },
      { dataType: 'other', data: 'corp\\bob', tags: ['soc:entity=user'] },
      { dataType: 'ip', data: '10.0.0.5', tags: ['soc:entity=ip', 'soc:role=destination'] },
      // The scoring event's builder reports host ws-01 among the incident's entities.
      { dataType: 'hostname', data: 'ws-01', tags: ['soc:entity=host'] },
    ]);
    expect(alertUpdate(escalation())).not.toHaveProperty('addTags');
  });
});
