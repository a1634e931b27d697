import { Type } from 'avsc';
import {
  INCIDENT_EVENT_TYPES,
  type AlertSummary,
  type FeedbackEvent,
  type IncidentEvent,
} from '@soc/contracts';
import {
  correlateAll,
  defaultCorrelationConfig,
  deterministicIds,
  generateLabeledAlerts,
} from '@soc/domain';
import {
  feedbackEventFromAvro,
  feedbackEventToAvro,
  incidentEventFromAvro,
  incidentEventToAvro,
} from './event-avro-mapping';
import { readSchemaFile } from './schema-files';

const incidentType = Type.forSchema(readSchemaFile('incidents'));
const feedbackType = Type.forSchema(readSchemaFile('feedback'));

const T = Date.UTC(2025, 0, 15, 9, 0, 0);
const alert: AlertSummary = {
  alertId: 'edr-1',
  sourceSystem: 'edr-prod',
  observedAt: T,
  ingestedAt: T + 900,
  originalObservedAt: null,
  product: 'Endpoint Sensor',
  ruleId: 'EDR-1201',
  ruleName: 'Encoded PowerShell command line',
  title: 'Encoded PowerShell command line on ws-0007',
  severity: 72,
  confidence: null,
  category: 'execution',
  tactics: ['TA0002'],
  techniques: ['T1059.001'],
  entities: [
    { type: 'host', value: 'ws-0007', role: null, hashAlgorithm: null },
    { type: 'ip', value: '203.0.113.7', role: 'destination', hashAlgorithm: null },
    { type: 'file_hash', value: 'ab'.repeat(32), role: null, hashAlgorithm: 'sha256' },
  ],
  threatIntel: [
    {
      indicator: '203.0.113.7',
      indicatorType: 'ip',
      source: 'intel',
      verdict: 'malicious',
      score: 90,
    },
  ],
};
const bare: AlertSummary = {
  ...alert,
  product: null,
  ruleId: null,
  ruleName: null,
  category: null,
  confidence: 40,
  tactics: [],
  techniques: [],
  entities: [],
  threatIntel: [],
};

let sequence = 0;
function envelope<T extends IncidentEvent['type']>(
  type: T,
  data: Extract<IncidentEvent, { type: T }>['data'],
): IncidentEvent {
  sequence += 1;
  return {
    eventId: `inc-1#${sequence}`,
    type,
    schemaVersion: 1,
    tenantId: 'acme',
    streamId: 'inc-1',
    sequence,
    partitionKey: 'acme',
    occurredAt: T + sequence,
    causationId: 'edr-1',
    actor: 'rule:correlation',
    data,
  } as IncidentEvent;
}

const explanation = {
  factors: [
    {
      name: 'severity' as const,
      raw: 72.5,
      weight: 0.3,
      contribution: 21.75,
      reason: 'max severity 72',
    },
  ],
  adjustments: [{ name: 'kill_chain', points: 5, reason: 'three stages' }],
  summary: 'priority 77 = ...',
};

/** One instance of every member of the incident union, nullable fields both ways. */
const incidentSamples: IncidentEvent[] = [
  envelope('IncidentOpened', {
    incidentId: 'inc-1',
    title: alert.title,
    firstAlert: alert,
    windowMs: 900_000,
    campaignHorizonMs: 86_400_000,
  }),
  envelope('AlertAttached', {
    incidentId: 'inc-1',
    alert: bare,
    linkedBy: [alert.entities[0] as AlertSummary['entities'][number]],
  }),
  envelope('AlertRepeatsCounted', {
    incidentId: 'inc-1',
    repeatKey: 'repeat|R|host:a',
    ruleId: null,
    alertIds: ['a', 'b'],
    observedAts: [T, T + 1],
    lastObservedAt: T + 1,
    totalRepeats: 7,
    routine: true,
    intervalCv: 0.0312,
    lastIngestedAt: T + 2,
  }),
  envelope('AlertRepeatsCounted', {
    incidentId: 'inc-1',
    repeatKey: 'repeat|R|',
    ruleId: 'R',
    alertIds: [],
    observedAts: [],
    lastObservedAt: T,
    totalRepeats: 1,
    routine: false,
    intervalCv: null,
    lastIngestedAt: null,
  }),
  envelope('IncidentRepeatsCounted', {
    incidentId: 'inc-1',
    series: [
      {
        repeatKey: 'repeat|R|host:a',
        ruleId: 'R',
        alertIds: ['c'],
        observedAts: [T + 3],
        lastObservedAt: T + 3,
        totalRepeats: 8,
        routine: true,
        intervalCv: 0.0312,
        lastIngestedAt: T + 4,
      },
      {
        repeatKey: 'repeat|Q|host:a',
        ruleId: null,
        alertIds: ['d', 'e'],
        observedAts: [T + 3, T + 5],
        lastObservedAt: T + 5,
        totalRepeats: 2,
        routine: false,
        intervalCv: null,
        lastIngestedAt: null,
      },
    ],
  }),
  envelope('AlertSuppressed', {
    incidentId: null,
    alert,
    suppressionRuleId: 'S-1',
    reason: 'scanner',
  }),
  envelope('LateAlertHandled', {
    incidentId: 'inc-1',
    alert,
    watermark: T + 60_000,
    outcome: 'dropped-window-closed',
    reason: 'window closed',
  }),
  envelope('LateAlertHandled', {
    incidentId: null,
    alert: bare,
    watermark: T,
    outcome: 'opened-incident',
    reason: 'nothing to join',
  }),
  envelope('IncidentsMerged', {
    incidentId: 'inc-1',
    absorbedIncidentId: 'inc-2',
    bridgingAlertId: 'edr-9',
    sharedEntities: alert.entities,
  }),
  envelope('IncidentMergedInto', { incidentId: 'inc-2', survivorIncidentId: 'inc-1' }),
  envelope('IncidentScored', {
    incidentId: 'inc-1',
    priority: 77,
    previousPriority: null,
    explanation,
    alertCount: 3,
    distinctRules: 2,
    tactics: ['TA0002'],
    entities: alert.entities,
  }),
  envelope('IncidentScored', {
    incidentId: 'inc-1',
    priority: 40,
    previousPriority: 77,
    explanation: { factors: [], adjustments: [], summary: '' },
    alertCount: 1,
    distinctRules: 1,
    tactics: [],
    entities: [],
  }),
  envelope('IncidentEscalated', { incidentId: 'inc-1', priority: 85, threshold: 80 }),
  envelope('CampaignLinked', {
    incidentId: 'inc-1',
    campaignId: 'camp-1',
    linkedIncidentIds: ['inc-0'],
    reason: 'shares user',
    accumulatedRisk: 212.5,
    storyPriority: 77,
  }),
  envelope('IncidentClosed', { incidentId: 'inc-1', reason: 'window-expired' }),
  envelope('IncidentClosed', { incidentId: 'inc-2', reason: 'tenant-budget' }),
  envelope('TenantBudgetExceeded', {
    incidentId: null,
    budget: 'open-incidents',
    used: 5_000,
    limits: {
      openIncidents: 5_000,
      linkedKeys: 100_000,
      trackedEntities: 100_000,
      rememberedIncidents: 5_000,
    },
  }),
  envelope('IncidentReopened', {
    incidentId: 'inc-1',
    cause: 'late-alert',
    alertId: 'edr-9',
    reason: 'alert edr-9 belongs to it, inside the revision horizon',
  }),
  envelope('IntelVerdictApplied', {
    incidentId: 'inc-1',
    provider: 'abuseipdb',
    indicator: '203.0.113.7',
    kind: 'ip',
    verdict: 'malicious',
    score: 97,
    evidence: 'AbuseIPDB confidence 97 for 203.0.113.7, 412 reports',
    fetchedAt: 1_736_931_600_000,
    expiresAt: 1_737_018_000_000,
  }),
  envelope('IntelVerdictApplied', {
    incidentId: null,
    provider: 'feed:blocklist',
    indicator: 'evil.example',
    kind: 'domain',
    verdict: 'suspicious',
    score: 60,
    evidence: 'feed blocklist lists evil.example',
    fetchedAt: 1_736_931_600_000,
    expiresAt: 1_737_018_000_000,
  }),
  envelope('FeedbackApplied', {
    incidentId: 'inc-1',
    analyst: 'analyst:ana',
    verdict: 'false_positive',
    correctPriority: null,
    closed: true,
    alertId: null,
    notes: 'backup job',
    rules: ['R-5710'],
    entities: [{ type: 'host', value: 'ws-3', role: null, hashAlgorithm: null }],
    tactics: ['TA0006'],
  }),
  envelope('FeedbackApplied', {
    incidentId: 'inc-1',
    analyst: 'analyst:bo',
    verdict: null,
    correctPriority: 95,
    closed: false,
    alertId: 'edr-9',
    notes: null,
    rules: [],
    entities: [],
    tactics: [],
  }),
  envelope('ClosedIncidentFollowedUp', {
    incidentId: 'inc-2',
    closedIncidentId: 'inc-1',
    alertId: 'edr-10',
    verdict: 'false_positive',
    outcome: 'opened-linked-incident',
    reason:
      'incident inc-1 was closed as false positive: the new alert went to incident inc-2 instead',
  }),
  envelope('ClosedIncidentFollowedUp', {
    incidentId: 'inc-1',
    closedIncidentId: 'inc-1',
    alertId: 'edr-11',
    verdict: null,
    outcome: 'reopened',
    reason: 'a new alert joined incident inc-1, which an analyst had closed: open again',
  }),
  envelope('TenantPolicyApplied', {
    incidentId: null,
    version: 3,
    configEventId: 'cfg-3',
    changedBy: 'admin:alice',
    change: 'suppression-accepted',
    proposalId: 'fp-1',
    reason: 'the scanner again',
    configJson: '{"correlation":{"windowMs":600000},"connectors":[],"rejectedProposals":[]}',
    policyJson: '{"windowMs":600000}',
    problems: [],
  }),
  envelope('FeedbackHeld', {
    incidentId: null,
    alertId: 'edr-20',
    feedbackEventId: 'alert:edr-20#1',
    analyst: 'analyst:alice',
    correctPriority: 95,
    notes: 'the late detector saw it first',
  }),
  envelope('HeldFeedbackExpired', {
    incidentId: null,
    alertId: 'edr-20',
    feedbackEventId: 'alert:edr-20#1',
    analyst: 'analyst:alice',
    heldAt: T,
    reason: 'alert-not-seen',
  }),
];

const feedbackEnvelope = <T extends FeedbackEvent['type']>(
  type: T,
  data: Extract<FeedbackEvent, { type: T }>['data'],
): FeedbackEvent =>
  ({
    eventId: `fb-${type}`,
    type,
    schemaVersion: 1,
    tenantId: 'acme',
    streamId: 'inc-1',
    sequence: 1,
    partitionKey: 'acme',
    occurredAt: T,
    causationId: 'http-request-1',
    actor: 'analyst:alice',
    data,
  }) as FeedbackEvent;

const feedbackSamples: FeedbackEvent[] = [
  feedbackEnvelope('IncidentAcknowledged', { incidentId: 'inc-1' }),
  feedbackEnvelope('IncidentAssigned', { incidentId: 'inc-1', assignee: 'bob' }),
  feedbackEnvelope('IncidentStatusChanged', {
    incidentId: 'inc-1',
    status: 'in_progress',
    notes: null,
  }),
  feedbackEnvelope('IncidentStatusChanged', {
    incidentId: 'inc-1',
    status: 'closed',
    notes: 'contained',
  }),
  feedbackEnvelope('IncidentVerdictGiven', {
    incidentId: 'inc-1',
    verdict: 'true_positive',
    notes: 'confirmed',
  }),
  feedbackEnvelope('PriorityFeedbackGiven', {
    incidentId: 'inc-1',
    alertId: null,
    correctPriority: 95,
    analystNotes: null,
  }),
  feedbackEnvelope('PriorityFeedbackGiven', {
    incidentId: null,
    alertId: 'edr-1',
    correctPriority: 10,
    analystNotes: 'noise',
  }),
];

describe('soc.incidents.v1 Avro schema and mapping', () => {
  it('has a sample of every member of the incident union', () => {
    expect(new Set(incidentSamples.map((e) => e.type))).toEqual(new Set(INCIDENT_EVENT_TYPES));
  });

  it('names one data record per event type, like the type, and enumerates the same types', () => {
    const data = incidentType as unknown as {
      field(name: string): { type: { types: { name: string }[]; symbols?: string[] } };
    };
    expect(data.field('data').type.types.map((t) => t.name)).toEqual(
      INCIDENT_EVENT_TYPES.map((type) => `soc.incidents.v1.${type}`),
    );
    expect(data.field('type').type.symbols).toEqual(INCIDENT_EVENT_TYPES);
  });

  it.each(incidentSamples.map((event) => [`${event.type} #${event.sequence}`, event] as const))(
    'round-trips %s through Avro binary unchanged',
    (_name, event) => {
      const avro = incidentEventToAvro(event);
      const paths: string[] = [];
      expect(incidentType.isValid(avro, { errorHook: (path) => paths.push(path.join('.')) })).toBe(
        true,
      );
      expect(paths).toEqual([]);
      expect(incidentEventFromAvro(incidentType.fromBuffer(incidentType.toBuffer(avro)))).toEqual(
        event,
      );
    },
  );

  it('names exactly the contract fields of each data record, in order', () => {
    const schema = incidentType.schema() as { fields: { name: string; type: unknown }[] };
    const branches = (schema.fields.find((f) => f.name === 'data')?.type ?? []) as {
      name: string;
      fields: { name: string }[];
    }[];
    for (const event of incidentSamples) {
      const branch = branches.find(
        (b) => b.name === event.type || b.name.endsWith(`.${event.type}`),
      );
      expect([event.type, branch?.fields.map((f) => f.name)]).toEqual([
        event.type,
        Object.keys(event.data),
      ]);
    }
    expect(schema.fields.map((f) => f.name)).toEqual(
      Object.keys(incidentSamples[0] as IncidentEvent),
    );
  });

  it('round-trips every event a realistic correlation run publishes', () => {
    const traffic = generateLabeledAlerts({
      seed: 'avro',
      tenants: 2,
      alertCount: 1_200,
      durationMs: 6 * 3_600_000,
      lateFraction: 0.01,
    });
    const { events } = correlateAll(
      traffic.map((l) => l.alert),
      defaultCorrelationConfig(),
      deterministicIds(),
    );
    expect(events.length).toBeGreaterThan(1_200);
    for (const event of events) {
      expect(
        incidentEventFromAvro(
          incidentType.fromBuffer(incidentType.toBuffer(incidentEventToAvro(event))),
        ),
      ).toEqual(event);
    }
  });

  it('refuses a record whose data branch does not match its type', () => {
    const avro = incidentEventToAvro(incidentSamples[0] as IncidentEvent);
    expect(() => incidentEventFromAvro({ ...avro, type: 'IncidentClosed' })).toThrow(
      /expected soc.incidents.v1.IncidentClosed/,
    );
  });
});

describe('soc.feedback.v1 Avro schema and mapping', () => {
  it.each(feedbackSamples.map((event, index) => [`${event.type} #${index}`, event] as const))(
    'round-trips %s through Avro binary unchanged',
    (_name, event) => {
      const avro = feedbackEventToAvro(event);
      expect(feedbackType.isValid(avro)).toBe(true);
      expect(feedbackEventFromAvro(feedbackType.fromBuffer(feedbackType.toBuffer(avro)))).toEqual(
        event,
      );
    },
  );

  it('names exactly the contract fields of each data record', () => {
    const schema = feedbackType.schema() as { fields: { name: string; type: unknown }[] };
    const branches = (schema.fields.find((f) => f.name === 'data')?.type ?? []) as {
      name: string;
      fields: { name: string }[];
    }[];
    for (const event of feedbackSamples) {
      const branch = branches.find(
        (b) => b.name.endsWith(`.${event.type}`) || b.name === event.type,
      );
      expect(branch?.fields.map((f) => f.name)).toEqual(Object.keys(event.data));
    }
  });
});
