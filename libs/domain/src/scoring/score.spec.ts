import type { AlertEntity } from '@soc/contracts';
import { addAttackStages, attackStageOf } from './attack-stages';
import { NO_EVIDENCE, type EvidenceTally } from './evidence';
import {
  DEFAULT_SCORING_CONTEXT,
  scoreIncident,
  scoreIncidentPriority,
  type AssetContext,
  type IncidentFacts,
  type ScoringContext,
} from './score';
import { DEFAULT_SCORE_WEIGHTS, parseScoreWeights } from './weights';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const HOUR = 3_600_000;
const host = (value: string): AlertEntity => ({
  type: 'host',
  value,
  role: null,
  hashAlgorithm: null,
});

const baseFacts: IncidentFacts = {
  alertCount: 1,
  maxSeverity: 50,
  meanSeverity: 50,
  distinctRules: 1,
  tacticMask: 0,
  entityCount: 1,
  entities: [[host('ws-01')]],
  intel: { maliciousMax: null, suspiciousMax: null, benignVerdicts: 0, unknownVerdicts: 0 },
  meanConfidence: null,
  lastSeen: NOW,
  routine: { alerts: 0, rule: null, intervalCv: null },
  evidence: { ...NO_EVIDENCE, severityVaries: true },
};

const finding = (rule: string, detector: string) => ({
  rule,
  entityKey: 'host:intranet',
  detector,
  surprise: Math.log(5_001),
  ruleOnEntity: 0,
  entityAlerts: 5_000,
  maturity: 1,
  tenantSurprise: Math.log(10_001),
  ruleInTenant: 0,
});
const novelAcrossDetectors: EvidenceTally = {
  findings: [finding('A-Acc-Val1', 'Wazuh/anomaly'), finding('W-Acc-400', 'Wazuh/wazuh')],
  detectors: ['Wazuh/anomaly', 'Wazuh/wazuh'],
  common: null,
  severityVaries: true,
};
const routineOnMail: EvidenceTally = {
  findings: [],
  detectors: [],
  common: {
    rule: 'W-Sys-Cav',
    entityKey: 'host:mail',
    ruleOnEntity: 3_402,
    entityAlerts: 3_600,
    routine: true,
    maturity: 1,
    tooYoung: false,
  },
  severityVaries: true,
};

const inventory = new Map<string, AssetContext>([
  ['host:db-01', { criticality: 5, tags: ['crown-jewel'] }],
  ['host:web-01', { criticality: 3, tags: ['internet-facing'] }],
  ['host:lab-01', { criticality: 1, tags: [] }],
]);
const withAssets: ScoringContext = {
  ...DEFAULT_SCORING_CONTEXT,
  assets: (entity) => inventory.get(`${entity.type}:${entity.value}`),
};

interface Case {
  readonly name: string;
  readonly facts: Partial<IncidentFacts>;
  readonly context?: ScoringContext;
  readonly now?: number;
  readonly priority: number;
  /** Raw values of severity, business_context, threat_intel, confidence, freshness. */
  readonly raw: readonly number[];
  readonly reasons: readonly (string | RegExp)[];
  readonly adjustments?: readonly [string, number][];
}

// Hand-computed. Base: severity varies, nothing else has evidence, so severity takes the weight
// of business context, threat intel and confidence (0.30 + 0.60 = 0.90); freshness keeps 0.10.
// With more factors present the 0.90 is shared in proportion to their weights.
const cases: readonly Case[] = [
  {
    name: 'a lone medium alert with nothing else known scores on its severity and freshness',
    facts: {},
    // 50 * 0.9 + 100 * 0.1 = 55
    priority: 55,
    raw: [50, 0, 0, 0, 100],
    reasons: [
      'max severity 50, mean 50 over 1 alert',
      "no inventory entry for the incident's entities: not counted",
      'no threat-intel verdict: not counted',
      'no baseline yet for these entities and no stated confidence: not counted',
      'last alert at the watermark',
    ],
  },
  {
    name: 'with no evidence at all, confidence is a neutral 50 instead of freshness alone',
    facts: { evidence: NO_EVIDENCE },
    // confidence 50 * 0.9 + 10 = 55
    priority: 55,
    raw: [0, 0, 0, 50, 100],
    reasons: [
      'every detector here has sent one severity for everything so far: not counted',
      /./,
      /./,
      'nothing is known yet (no baseline, no severity spread, no inventory, no intel): neutral',
    ],
  },
  {
    name: 'severity blends max and mean, and distinct rules corroborate',
    facts: { alertCount: 4, maxSeverity: 90, meanSeverity: 60, distinctRules: 3 },
    // severity 0.7*90 + 0.3*60 + 10 = 91 -> 81.9; + 10 = 91.9 -> 92
    priority: 92,
    raw: [91, 0, 0, 0, 100],
    reasons: ['max severity 90, mean 60 over 4 alerts; 3 distinct rules add 10'],
  },
  {
    name: 'a crown-jewel asset raises business context; the most critical entity is named',
    facts: { entities: [[host('lab-01'), host('db-01')]], entityCount: 2 },
    context: withAssets,
    // business 20*5 + 20 + 2 = 122 -> 100; weights 0.3 and 0.25 scaled by 0.9 / 0.55:
    // 50 * 0.4909 = 24.55, 100 * 0.4091 = 40.91; + 10 = 75.46 -> 75
    priority: 75,
    raw: [50, 100, 0, 0, 100],
    reasons: [
      /./,
      'highest criticality 5 of 5 (host db-01); crown jewel +20; 2 entities involved +2',
    ],
  },
  {
    name: 'an internet-facing asset adds to its criticality',
    facts: { entities: [[host('web-01')]] },
    context: withAssets,
    // business 60 + 10 = 70 -> 28.64; 24.55 + 28.64 + 10 = 63.19 -> 63
    priority: 63,
    raw: [50, 70, 0, 0, 100],
    reasons: [/./, 'highest criticality 3 of 5 (host web-01); internet-facing +10'],
  },
  {
    name: 'a malicious verdict drives threat intel to 75 plus a quarter of its score',
    facts: {
      intel: { maliciousMax: 80, suspiciousMax: 40, benignVerdicts: 1, unknownVerdicts: 0 },
    },
    // threat 95; weights 0.3 and 0.2 scaled by 0.9 / 0.5: 27 + 34.2 + 10 = 71.2 -> 71
    priority: 71,
    raw: [50, 0, 95, 0, 100],
    reasons: [/./, /./, 'malicious verdict (score 80)'],
  },
  {
    name: 'a suspicious verdict sits between unknown and malicious',
    facts: {
      intel: { maliciousMax: null, suspiciousMax: 50, benignVerdicts: 0, unknownVerdicts: 0 },
    },
    // threat 65 -> 23.4; 27 + 23.4 + 10 = 60.4 -> 60
    priority: 60,
    raw: [50, 0, 65, 0, 100],
    reasons: [/./, /./, 'suspicious verdict (score 50)'],
  },
  {
    name: 'only benign verdicts lower threat intel; unknown ones keep it neutral',
    facts: {
      intel: { maliciousMax: null, suspiciousMax: null, benignVerdicts: 2, unknownVerdicts: 0 },
    },
    // threat 20 -> 7.2; 27 + 7.2 + 10 = 44.2 -> 44
    priority: 44,
    raw: [50, 0, 20, 0, 100],
    reasons: [/./, /./, 'every threat-intel verdict is benign'],
  },
  {
    name: 'a verdict of unknown is evidence of nothing either way: a neutral 50',
    facts: {
      intel: { maliciousMax: null, suspiciousMax: null, benignVerdicts: 1, unknownVerdicts: 1 },
    },
    // threat 50 -> 18; 27 + 18 + 10 = 55
    priority: 55,
    raw: [50, 0, 50, 0, 100],
    reasons: [/./, /./, '1 benign and 1 unknown verdicts: unknown keeps it neutral'],
  },
  {
    name: 'a stated confidence counts when there is no baseline',
    facts: { meanConfidence: 90 },
    // weights 0.3 and 0.15 scaled by 0.9 / 0.45: 30 + 27 + 10 = 67
    priority: 67,
    raw: [50, 0, 0, 90, 100],
    reasons: [/./, /./, /./, 'mean source confidence 90'],
  },
  {
    name: 'freshness halves every half-life of event time before the watermark',
    facts: { lastSeen: NOW - 6 * HOUR },
    // 45 + 5 = 50
    priority: 50,
    raw: [50, 0, 0, 0, 50],
    reasons: [/./, /./, /./, /./, 'last alert 360 min before the watermark (half-life 360 min)'],
  },
  {
    name: 'kill-chain progression across four ATT&CK stages adds ten points',
    facts: {
      tacticMask: addAttackStages(0, ['TA0001', 'execution', 'Lateral Movement', 'TA0011']),
      distinctRules: 4,
      alertCount: 4,
    },
    // severity 50 + 15 = 65 -> 58.5; + 10 + 10 = 78.5 -> 79
    priority: 79,
    raw: [65, 0, 0, 0, 100],
    reasons: [],
    adjustments: [['kill_chain', 10]],
  },
  {
    name: 'routine repeats are scored down by their share of the alerts',
    facts: { alertCount: 10, routine: { alerts: 8, rule: 'R-cron', intervalCv: 0.04 } },
    // 55 - 24 = 31
    priority: 31,
    raw: [50, 0, 0, 0, 100],
    reasons: [],
    adjustments: [['routine_noise', -24]],
  },
  {
    name: 'rules new on their host from agreeing detectors make the learned confidence high',
    facts: { evidence: novelAcrossDetectors },
    // evidence points ln 5001 + 4 + 3 = 15.52 -> 100 * (1 - e^(-15.52/40)) = 32.2; weights 0.3 and
    // 0.15 scaled by 2: 50 * 0.6 + 32.2 * 0.3 + 10 = 49.66 -> 50
    priority: 50,
    raw: [50, 0, 0, 32.2, 100],
    reasons: [
      /./,
      /./,
      /./,
      'rule A-Acc-Val1 new on host intranet (after 5,000 alerts there); rule W-Acc-400 new on host intranet (after 5,000 alerts there); 2 detectors agree (Wazuh/anomaly, Wazuh/wazuh)',
    ],
  },
  {
    name: 'a rule seen thousands of times on its host is routine: learned confidence 0',
    facts: { evidence: routineOnMail },
    // weights 0.3 and 0.15 scaled by 2: 30 + 0 + 10 = 40
    priority: 40,
    raw: [50, 0, 0, 0, 100],
    reasons: [
      /./,
      /./,
      /./,
      'nothing unusual: rule W-Sys-Cav seen 3,402 times in 3,600 alerts on host mail, on a steady rhythm: routine',
    ],
  },
];

describe('scoreIncident', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const facts = { ...baseFacts, ...c.facts };
    const context = c.context ?? DEFAULT_SCORING_CONTEXT;
    const { priority, explanation } = scoreIncident(
      facts,
      context,
      DEFAULT_SCORE_WEIGHTS,
      c.now ?? NOW,
    );
    expect(priority).toBe(c.priority);
    expect(explanation.factors.map((f) => f.raw)).toEqual(c.raw);
    c.reasons.forEach((reason, index) => {
      const actual = explanation.factors[index]?.reason ?? '';
      if (typeof reason === 'string') expect(actual).toBe(reason);
      else expect(actual).toMatch(reason);
    });
    expect(explanation.adjustments.map((a) => [a.name, a.points])).toEqual(c.adjustments ?? []);
    expect(scoreIncidentPriority(facts, context, DEFAULT_SCORE_WEIGHTS, c.now ?? NOW)).toBe(
      priority,
    );
  });

  it('explains every factor with its weight and contribution, and the summary adds up to the priority', () => {
    const { priority, explanation } = scoreIncident(
      baseFacts,
      DEFAULT_SCORING_CONTEXT,
      DEFAULT_SCORE_WEIGHTS,
      NOW,
    );
    expect(explanation.factors.map((f) => [f.name, f.weight, f.contribution])).toEqual([
      ['severity', 0.9, 45],
      ['business_context', 0, 0],
      ['threat_intel', 0, 0],
      ['confidence', 0, 0],
      ['freshness', 0.1, 10],
    ]);
    const sum = explanation.factors.reduce((total, f) => total + f.contribution, 0);
    expect(Math.round(sum)).toBe(priority);
    expect(explanation.summary).toBe(
      'priority 55 = severity 45 + business_context 0 + threat_intel 0 + confidence 0 + freshness 10',
    );
  });

  it('clamps to 0-100 and rounds to an integer', () => {
    const max = scoreIncident(
      {
        ...baseFacts,
        maxSeverity: 100,
        meanSeverity: 100,
        distinctRules: 6,
        tacticMask: addAttackStages(0, [
          'TA0001',
          'TA0002',
          'TA0003',
          'TA0004',
          'TA0008',
          'TA0040',
        ]),
        intel: { maliciousMax: 100, suspiciousMax: null, benignVerdicts: 0, unknownVerdicts: 0 },
        meanConfidence: 100,
        entities: [[host('db-01')]],
      },
      withAssets,
      DEFAULT_SCORE_WEIGHTS,
      NOW,
    );
    expect(max.priority).toBe(100);
    const min = scoreIncident(
      {
        ...baseFacts,
        maxSeverity: 0,
        meanSeverity: 0,
        meanConfidence: 0,
        lastSeen: NOW - 100 * HOUR,
        alertCount: 4,
        routine: { alerts: 4, rule: 'R', intervalCv: 0 },
        entities: [[host('lab-01')]],
        intel: { maliciousMax: null, suspiciousMax: null, benignVerdicts: 1, unknownVerdicts: 0 },
      },
      withAssets,
      DEFAULT_SCORE_WEIGHTS,
      NOW,
    );
    expect(min.priority).toBe(0);
    expect(Number.isInteger(min.priority)).toBe(true);
  });

  it('follows per-tenant weights', () => {
    const parsed = parseScoreWeights({
      severity: 1,
      business_context: 0,
      threat_intel: 0,
      confidence: 0,
      freshness: 0,
    });
    if (!parsed.ok) throw new Error('weights rejected');
    expect(
      scoreIncident(
        { ...baseFacts, maxSeverity: 80, meanSeverity: 80 },
        DEFAULT_SCORING_CONTEXT,
        parsed.weights,
        NOW,
      ).priority,
    ).toBe(80);
  });
});

describe('parseScoreWeights', () => {
  it.each([
    ['a negative weight', { severity: -0.1 }, 'weights.severity', 'must be a non-negative number'],
    [
      'weights that do not sum to 1',
      { severity: 0.5 },
      'weights',
      'weights must sum to 1 (got 1.2)',
    ],
    ['an unknown factor', { impact: 0.1 }, 'weights.impact', /unknown factor/],
    ['a non-object', 3, 'weights', 'must be an object of factor weights'],
  ] as const)('rejects %s with the field path', (_name, value, path, message) => {
    const result = parseScoreWeights(value);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]?.path).toBe(path);
    if (typeof message === 'string') expect(result.errors[0]?.message).toBe(message);
    else expect(result.errors[0]?.message).toMatch(message);
  });

  it('accepts weights that sum to 1 within floating-point error', () => {
    expect(
      parseScoreWeights({
        severity: 0.1,
        business_context: 0.2,
        threat_intel: 0.3,
        confidence: 0.3,
        freshness: 0.1,
      }).ok,
    ).toBe(true);
  });
});

describe('ATT&CK stages', () => {
  it.each([
    ['TA0001', 2],
    ['initial-access', 2],
    ['Initial Access', 2],
    ['command_and_control', 11],
    ['TA0040', 13],
    ['T1059', -1],
    ['made-up', -1],
  ] as const)('places %s at kill-chain position %i', (tactic, stage) => {
    expect(attackStageOf(tactic)).toBe(stage);
  });
});
