import type {
  AlertEntity,
  AlertSummary,
  EventEnvelope,
  FeedbackEvent,
  IncidentEvent,
  ScoreExplanation,
} from '@soc/contracts';

/**
 * Builders for incident and feedback events with deterministic defaults: every id and time is
 * derived from the arguments, so a spec that builds the same events twice gets equal values.
 * TODO(lead): move into libs/testing once its builders land, then import from @soc/testing.
 */
export const T0 = Date.UTC(2025, 0, 15, 9, 0, 0);

type Envelope<E> =
  E extends EventEnvelope<infer Type, infer Data> ? { type: Type; data: Data } : never;

export interface EnvelopeOverrides {
  readonly tenantId?: string;
  readonly sequence?: number;
  readonly occurredAt?: number;
  readonly actor?: string;
  readonly eventId?: string;
  readonly streamId?: string;
}

function envelope<E extends IncidentEvent | FeedbackEvent>(
  body: Envelope<E>,
  incidentId: string,
  defaults: { readonly actor: string; readonly prefix: string },
  o: EnvelopeOverrides,
): E {
  const tenantId = o.tenantId ?? 'tenant-a';
  const sequence = o.sequence ?? 1;
  const streamId = o.streamId ?? incidentId;
  return {
    eventId: o.eventId ?? `${defaults.prefix}-${tenantId}-${streamId}-${sequence}`,
    type: body.type,
    schemaVersion: 1,
    tenantId,
    streamId,
    sequence,
    partitionKey: tenantId,
    occurredAt: o.occurredAt ?? T0 + sequence * 1_000,
    causationId: `cause-${streamId}-${sequence}`,
    actor: o.actor ?? defaults.actor,
    data: body.data,
  } as E;
}

const incident = <E extends IncidentEvent>(
  body: Envelope<E>,
  incidentId: string,
  o: EnvelopeOverrides,
): E => envelope<E>(body, incidentId, { actor: 'rule:shared-entity', prefix: 'inc' }, o);
const feedback = <E extends FeedbackEvent>(
  body: Envelope<E>,
  incidentId: string,
  o: EnvelopeOverrides,
): E => envelope<E>(body, incidentId, { actor: 'analyst:alice', prefix: 'fb' }, o);

export const host = (value: string): AlertEntity => ({
  type: 'host',
  value,
  role: null,
  hashAlgorithm: null,
});
export const user = (value: string): AlertEntity => ({
  type: 'user',
  value,
  role: null,
  hashAlgorithm: null,
});
export const ip = (value: string, role: 'source' | 'destination' = 'source'): AlertEntity => ({
  type: 'ip',
  value,
  role,
  hashAlgorithm: null,
});

export function anAlertSummary(overrides: Partial<AlertSummary> = {}): AlertSummary {
  const alertId = overrides.alertId ?? 'alert-1';
  return {
    alertId,
    sourceSystem: 'splunk-prod',
    observedAt: T0,
    ingestedAt: T0 + 500,
    product: 'Sysmon',
    ruleId: 'R-100',
    ruleName: 'Suspicious PowerShell',
    title: `Suspicious PowerShell on ws-01 (${alertId})`,
    severity: 70,
    confidence: 80,
    category: 'execution',
    tactics: ['TA0002'],
    techniques: ['T1059.001'],
    entities: [host('ws-01'), user('corp\\alice')],
    threatIntel: [],
    originalObservedAt: null,
    ...overrides,
  };
}

export const anExplanation = (priority = 72): ScoreExplanation => ({
  factors: [
    {
      name: 'severity',
      raw: 70,
      weight: 0.4,
      contribution: 28,
      reason: 'highest alert severity 70',
    },
    {
      name: 'business_context',
      raw: 80,
      weight: 0.25,
      contribution: 20,
      reason: 'ws-01 is criticality 4',
    },
    {
      name: 'threat_intel',
      raw: 50,
      weight: 0.15,
      contribution: 7.5,
      reason: 'one suspicious indicator',
    },
    { name: 'confidence', raw: 80, weight: 0.1, contribution: 8, reason: 'source confidence 80' },
    {
      name: 'freshness',
      raw: 85,
      weight: 0.1,
      contribution: 8.5,
      reason: 'last alert 5 minutes ago',
    },
  ],
  adjustments:
    priority > 72
      ? [{ name: 'kill_chain', points: priority - 72, reason: 'execution after initial access' }]
      : [],
  summary: `priority ${priority}: severe PowerShell on a critical workstation`,
});

export const incidentOpened = (
  incidentId: string,
  alert = anAlertSummary(),
  o: EnvelopeOverrides = {},
) =>
  incident<Extract<IncidentEvent, { type: 'IncidentOpened' }>>(
    {
      type: 'IncidentOpened',
      data: {
        incidentId,
        title: alert.title,
        firstAlert: alert,
        windowMs: 900_000,
        campaignHorizonMs: 7 * 86_400_000,
      },
    },
    incidentId,
    { occurredAt: alert.observedAt, ...o },
  );

export const alertAttached = (
  incidentId: string,
  alert: AlertSummary,
  o: EnvelopeOverrides = {},
  linkedBy: readonly AlertEntity[] = alert.entities.slice(0, 1),
) =>
  incident<Extract<IncidentEvent, { type: 'AlertAttached' }>>(
    { type: 'AlertAttached', data: { incidentId, alert, linkedBy } },
    incidentId,
    { occurredAt: alert.observedAt, ...o },
  );

export const repeatsCounted = (
  incidentId: string,
  totalRepeats: number,
  o: EnvelopeOverrides = {},
  repeatKey = 'R-100|host:ws-01',
) =>
  incident<Extract<IncidentEvent, { type: 'AlertRepeatsCounted' }>>(
    {
      type: 'AlertRepeatsCounted',
      data: {
        incidentId,
        repeatKey,
        ruleId: 'R-100',
        alertIds: Array.from({ length: totalRepeats }, (_, i) => `repeat-${i + 1}`),
        observedAts: Array.from({ length: totalRepeats }, (_, i) => T0 + (i + 1) * 12_000),
        lastObservedAt: T0 + 60_000,
        totalRepeats,
        routine: totalRepeats >= 5,
        intervalCv: totalRepeats >= 3 ? 0.05 : null,
        lastIngestedAt: null,
      },
    },
    incidentId,
    o,
  );

/** Counters of several repeat keys at one flush, each as `repeatsCounted` would count it. */
export const incidentRepeatsCounted = (
  incidentId: string,
  series: readonly { readonly repeatKey: string; readonly totalRepeats: number }[],
  o: EnvelopeOverrides = {},
) =>
  incident<Extract<IncidentEvent, { type: 'IncidentRepeatsCounted' }>>(
    {
      type: 'IncidentRepeatsCounted',
      data: {
        incidentId,
        series: series.map(({ repeatKey, totalRepeats }) => {
          const { incidentId: _, ...count } = repeatsCounted(
            incidentId,
            totalRepeats,
            {},
            repeatKey,
          ).data;
          return count;
        }),
      },
    },
    incidentId,
    o,
  );

export const incidentScored = (
  incidentId: string,
  priority: number,
  o: EnvelopeOverrides = {},
  previousPriority: number | null = null,
) =>
  incident<Extract<IncidentEvent, { type: 'IncidentScored' }>>(
    {
      type: 'IncidentScored',
      data: {
        incidentId,
        priority,
        previousPriority,
        explanation: anExplanation(priority),
        alertCount: 1,
        distinctRules: 1,
        tactics: ['TA0002'],
        entities: [host('ws-01')],
      },
    },
    incidentId,
    o,
  );

export const incidentEscalated = (
  incidentId: string,
  priority: number,
  o: EnvelopeOverrides = {},
) =>
  incident<Extract<IncidentEvent, { type: 'IncidentEscalated' }>>(
    { type: 'IncidentEscalated', data: { incidentId, priority, threshold: 80 } },
    incidentId,
    o,
  );

export const campaignLinked = (incidentId: string, campaignId: string, o: EnvelopeOverrides = {}) =>
  incident<Extract<IncidentEvent, { type: 'CampaignLinked' }>>(
    {
      type: 'CampaignLinked',
      data: {
        incidentId,
        campaignId,
        linkedIncidentIds: [incidentId],
        reason: 'shared host ws-01',
        accumulatedRisk: 140,
        storyPriority: 72,
      },
    },
    incidentId,
    o,
  );

export const incidentsMerged = (
  incidentId: string,
  absorbedIncidentId: string,
  o: EnvelopeOverrides = {},
) =>
  incident<Extract<IncidentEvent, { type: 'IncidentsMerged' }>>(
    {
      type: 'IncidentsMerged',
      data: {
        incidentId,
        absorbedIncidentId,
        bridgingAlertId: 'bridge-1',
        sharedEntities: [host('ws-01')],
      },
    },
    incidentId,
    o,
  );

export const incidentMergedInto = (
  incidentId: string,
  survivorIncidentId: string,
  o: EnvelopeOverrides = {},
) =>
  incident<Extract<IncidentEvent, { type: 'IncidentMergedInto' }>>(
    { type: 'IncidentMergedInto', data: { incidentId, survivorIncidentId } },
    incidentId,
    o,
  );

export const incidentClosed = (
  incidentId: string,
  reason: 'window-expired' | 'max-span-reached' | 'merged' = 'window-expired',
  o: EnvelopeOverrides = {},
) =>
  incident<Extract<IncidentEvent, { type: 'IncidentClosed' }>>(
    { type: 'IncidentClosed', data: { incidentId, reason } },
    incidentId,
    o,
  );

export const alertSuppressed = (
  incidentId: string | null,
  alert: AlertSummary,
  o: EnvelopeOverrides = {},
) =>
  incident<Extract<IncidentEvent, { type: 'AlertSuppressed' }>>(
    {
      type: 'AlertSuppressed',
      data: { incidentId, alert, suppressionRuleId: 'S-1', reason: 'known scanner' },
    },
    incidentId ?? `unattached:${o.tenantId ?? 'tenant-a'}`,
    o,
  );

export const lateAlertHandled = (
  incidentId: string | null,
  alert: AlertSummary,
  outcome: 'attached-to-open-incident' | 'opened-incident' | 'dropped-window-closed',
  o: EnvelopeOverrides = {},
) =>
  incident<Extract<IncidentEvent, { type: 'LateAlertHandled' }>>(
    {
      type: 'LateAlertHandled',
      data: { incidentId, alert, watermark: T0 + 3_600_000, outcome, reason: 'arrived 2h late' },
    },
    incidentId ?? `unattached:${o.tenantId ?? 'tenant-a'}`,
    o,
  );

export const acknowledged = (incidentId: string, o: EnvelopeOverrides = {}) =>
  feedback<Extract<FeedbackEvent, { type: 'IncidentAcknowledged' }>>(
    { type: 'IncidentAcknowledged', data: { incidentId } },
    incidentId,
    o,
  );

export const assigned = (incidentId: string, assignee: string, o: EnvelopeOverrides = {}) =>
  feedback<Extract<FeedbackEvent, { type: 'IncidentAssigned' }>>(
    { type: 'IncidentAssigned', data: { incidentId, assignee } },
    incidentId,
    o,
  );

export const statusChanged = (
  incidentId: string,
  status: 'open' | 'acknowledged' | 'in_progress' | 'closed',
  o: EnvelopeOverrides = {},
  notes: string | null = null,
) =>
  feedback<Extract<FeedbackEvent, { type: 'IncidentStatusChanged' }>>(
    { type: 'IncidentStatusChanged', data: { incidentId, status, notes } },
    incidentId,
    o,
  );

export const verdictGiven = (
  incidentId: string,
  verdict: 'true_positive' | 'benign_positive' | 'false_positive',
  o: EnvelopeOverrides = {},
  notes: string | null = null,
) =>
  feedback<Extract<FeedbackEvent, { type: 'IncidentVerdictGiven' }>>(
    { type: 'IncidentVerdictGiven', data: { incidentId, verdict, notes } },
    incidentId,
    o,
  );

export const priorityFeedback = (
  incidentId: string,
  correctPriority: number,
  o: EnvelopeOverrides = {},
  alertId: string | null = null,
) =>
  feedback<Extract<FeedbackEvent, { type: 'PriorityFeedbackGiven' }>>(
    {
      type: 'PriorityFeedbackGiven',
      data: {
        incidentId: alertId === null ? incidentId : null,
        alertId,
        correctPriority,
        analystNotes: 'too high',
      },
    },
    incidentId,
    o,
  );

/** A fresh open incident at `at` (epoch ms) with two alerts and a score: what a dashboard shows. */
export function liveIncident(
  tenantId: string,
  incidentId: string,
  at: number,
  {
    priority = 72,
    title,
    hostName = 'ws-07',
  }: { readonly priority?: number; readonly title?: string; readonly hostName?: string } = {},
): IncidentEvent[] {
  const first = anAlertSummary({
    alertId: `${incidentId}-a1`,
    observedAt: at,
    ingestedAt: at + 200,
    title: title ?? `Suspicious PowerShell on ${hostName}`,
    entities: [host(hostName), user('corp\\bob')],
  });
  const second = anAlertSummary({
    alertId: `${incidentId}-a2`,
    observedAt: at + 60_000,
    ingestedAt: at + 60_200,
    ruleId: 'R-200',
    ruleName: 'Credential dumping',
    title: `LSASS memory read on ${hostName}`,
    severity: 90,
    tactics: ['TA0006'],
    techniques: ['T1003.001'],
    entities: [host(hostName), ip('10.0.0.5', 'destination')],
  });
  return [
    incidentOpened(incidentId, first, { tenantId, occurredAt: at }),
    alertAttached(incidentId, second, { tenantId, sequence: 2, occurredAt: at + 60_000 }),
    incidentScored(incidentId, priority, { tenantId, sequence: 3, occurredAt: at + 60_000 }),
  ];
}

/** A tenant configuration version the correlator took in (on the unattached stream). */
export const tenantPolicyApplied = (version: number, o: EnvelopeOverrides = {}) =>
  incident<Extract<IncidentEvent, { type: 'TenantPolicyApplied' }>>(
    {
      type: 'TenantPolicyApplied',
      data: {
        incidentId: null,
        version,
        configEventId: `cfg-${version}`,
        changedBy: 'admin:alice',
        change: 'edited',
        proposalId: null,
        reason: 'shorter windows',
        configJson: JSON.stringify({
          correlation: { windowMs: 300_000 },
          connectors: [],
          rejectedProposals: [],
        }),
        policyJson: JSON.stringify({ windowMs: 300_000 }),
        problems: [],
      },
    },
    `unattached:${o.tenantId ?? 'tenant-a'}`,
    o,
  );
