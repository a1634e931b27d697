import type { AlertSummary, IncidentOpened, IncidentClosed } from '@soc/contracts';
import { identityFold } from './identity-fold';

const summary: AlertSummary = {
  alertId: 'a-1',
  sourceSystem: 'edr',
  observedAt: 1_000,
  ingestedAt: 2_000,
  product: null,
  ruleId: 'R-1',
  ruleName: null,
  title: 'Credential dumping',
  severity: 80,
  confidence: null,
  category: null,
  tactics: [],
  techniques: [],
  entities: [],
  threatIntel: [],
  originalObservedAt: null,
};
const envelope = {
  schemaVersion: 1,
  tenantId: 'acme',
  sequence: 1,
  partitionKey: 'acme',
  occurredAt: 1_000,
  causationId: 'a-1',
  actor: 'rule:correlation',
};
const opened: IncidentOpened = {
  ...envelope,
  eventId: 'identity-a-1:1',
  type: 'IncidentOpened',
  streamId: 'identity-a-1',
  data: {
    incidentId: 'identity-a-1',
    title: 'x',
    firstAlert: summary,
    windowMs: 0,
    campaignHorizonMs: 0,
  },
};
const closed: IncidentClosed = {
  ...envelope,
  eventId: 'inc-9:2',
  type: 'IncidentClosed',
  streamId: 'inc-9',
  sequence: 2,
  data: { incidentId: 'inc-9', reason: 'window-expired' },
};

describe('the identity fold (benchmark-only)', () => {
  it('writes one alert row per event that carries an alert, and nothing else', () => {
    const folded = identityFold([opened, closed]);
    expect(folded.changes.alerts).toEqual([
      {
        tenantId: 'acme',
        incidentId: 'identity-a-1',
        alert: summary,
        via: 'opened',
        linkedBy: [],
        attachedAt: 1_000,
        eventId: 'identity-a-1:1',
      },
    ]);
    expect(folded.changes.incidents).toEqual([]);
    expect(folded.changes.timeline).toEqual([]);
    expect(folded.applied).toEqual([opened, closed]);
  });
});
