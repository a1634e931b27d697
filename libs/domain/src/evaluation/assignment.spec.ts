import type { AlertSummary, IncidentEvent } from '@soc/contracts';
import { assignAlerts } from './assignment';

let sequence = 0;
const event = (type: IncidentEvent['type'], streamId: string, data: object): IncidentEvent =>
  ({
    eventId: `e-${(sequence += 1)}`,
    type,
    schemaVersion: 1,
    tenantId: 'acme',
    streamId,
    sequence,
    partitionKey: 'acme',
    occurredAt: 0,
    causationId: 'test',
    actor: 'test',
    data,
  }) as IncidentEvent;
const summary = (alertId: string): AlertSummary => ({ alertId }) as AlertSummary;
const opened = (incidentId: string, alertId: string): IncidentEvent =>
  event('IncidentOpened', incidentId, { incidentId, firstAlert: summary(alertId) });
const scored = (incidentId: string, priority: number): IncidentEvent =>
  event('IncidentScored', incidentId, { incidentId, priority });
const linked = (incidentId: string, campaignId: string): IncidentEvent =>
  event('CampaignLinked', incidentId, { incidentId, campaignId });
const key = (id: string): string => `acme\u0000${id}`;

describe('assignAlerts', () => {
  it('joins incidents linked to one campaign into one story, and leaves an unlinked incident its own', () => {
    const assignment = assignAlerts([
      opened('i1', 'a1'),
      opened('i2', 'a2'),
      opened('i3', 'a3'),
      opened('i4', 'a4'),
      linked('i1', 'c1'),
      linked('i2', 'c1'),
      linked('i3', 'c2'),
      // Campaign c2 folds into c1 through i3.
      linked('i3', 'c1'),
      scored('i1', 40),
      scored('i4', 10),
    ]);
    const story = (id: string) => assignment.storyOf.get(key(id));
    expect(story('i2')).toBe(story('i1'));
    expect(story('i3')).toBe(story('i1'));
    expect(story('i4')).toBe(key('i4'));
    expect(assignment.priorities.get(key('i1'))).toBe(40);
  });

  it('keeps a merged incident in its survivor’s story', () => {
    const assignment = assignAlerts([
      opened('i1', 'a1'),
      opened('i2', 'a2'),
      linked('i2', 'c9'),
      event('IncidentMergedInto', 'i2', { incidentId: 'i2', survivorIncidentId: 'i1' }),
    ]);
    expect(assignment.incidentOf.get(key('a2'))).toBe(key('i1'));
    expect(assignment.storyOf.size).toBe(1);
  });
});
