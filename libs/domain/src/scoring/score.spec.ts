import type { AlertEntity } from '@soc/contracts';
import { addAttackStages, attackStageOf } from './attack-stages';
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

// Hand-computed: priority = round(sum of raw * weight (0.30, 0.25, 0.20, 0.15, 0.10) + points).
const cases: readonly Case[] = [
  {
    name: 'a lone medium alert with nothing known scores on the neutral defaults',
    facts: {},
    // 15 + 10 + 10 + 7.5 + 10 = 52.5 -> 53
    priority: 53,
    raw: [50, 40, 50, 50, 100],
    reasons: [
      'max severity 50, mean 50 over 1 alert',
      "no inventory entry for the incident's entities: assumed criticality 2 of 5",
      'no threat-intel verdict: unknown counts as neutral, not benign',
      'no source stated a confidence: default 50',
      'last alert at the watermark',
    ],
  },
  {
    name: 'severity blends max and mean, and distinct rules corroborate',
    facts: { alertCount: 4, maxSeverity: 90, meanSeverity: 60, distinctRules: 3 },
    // severity 0.7*90 + 0.3*60 + 10 = 91 -> 27.3; total 27.3 + 10 + 10 + 7.5 + 10 = 64.8 -> 65
    priority: 65,
    raw: [91, 40, 50, 50, 100],
    reasons: ['max severity 90, mean 60 over 4 alerts; 3 distinct rules add 10'],
  },
  {
    name: 'a crown-jewel asset raises business context; the most critical entity is named',
    facts: { entities: [[host('lab-01'), host('db-01')]], entityCount: 2 },
    context: withAssets,
    // business 20*5 + 20 + 2 = 122 -> 100 -> 25; total 15 + 25 + 10 + 7.5 + 10 = 67.5 -> 68
    priority: 68,
    raw: [50, 100, 50, 50, 100],
    reasons: [
      /./,
      'highest criticality 5 of 5 (host db-01); crown jewel +20; 2 entities involved +2',
    ],
  },
  {
    name: 'an internet-facing asset adds to its criticality',
    facts: { entities: [[host('web-01')]] },
    context: withAssets,
    // business 60 + 10 = 70 -> 17.5; total 15 + 17.5 + 10 + 7.5 + 10 = 60
    priority: 60,
    raw: [50, 70, 50, 50, 100],
    reasons: [/./, 'highest criticality 3 of 5 (host web-01); internet-facing +10'],
  },
  {
    name: 'a malicious verdict drives threat intel to 75 plus a quarter of its score',
    facts: {
      intel: { maliciousMax: 80, suspiciousMax: 40, benignVerdicts: 1, unknownVerdicts: 0 },
    },
    // threat 95 -> 19; total 15 + 10 + 19 + 7.5 + 10 = 61.5 -> 62
    priority: 62,
    raw: [50, 40, 95, 50, 100],
    reasons: [/./, /./, 'malicious verdict (score 80)'],
  },
  {
    name: 'a suspicious verdict sits between unknown and malicious',
    facts: {
      intel: { maliciousMax: null, suspiciousMax: 50, benignVerdicts: 0, unknownVerdicts: 0 },
    },
    // threat 65 -> 13; total 55.5 -> 56
    priority: 56,
    raw: [50, 40, 65, 50, 100],
    reasons: [/./, /./, 'suspicious verdict (score 50)'],
  },
  {
    name: 'only benign verdicts lower threat intel; unknown ones keep it neutral',
    facts: {
      intel: { maliciousMax: null, suspiciousMax: null, benignVerdicts: 2, unknownVerdicts: 0 },
    },
    // threat 20 -> 4; total 46.5 -> 47
    priority: 47,
    raw: [50, 40, 20, 50, 100],
    reasons: [/./, /./, 'every threat-intel verdict is benign'],
  },
  {
    name: 'a stated confidence replaces the default',
    facts: { meanConfidence: 90 },
    // confidence 90 -> 13.5; total 58.5 -> 59 (round half up)
    priority: 59,
    raw: [50, 40, 50, 90, 100],
    reasons: [/./, /./, /./, 'mean source confidence 90'],
  },
  {
    name: 'freshness halves every half-life of event time before the watermark',
    facts: { lastSeen: NOW - 6 * HOUR },
    // freshness 50 -> 5; total 47.5 -> 48
    priority: 48,
    raw: [50, 40, 50, 50, 50],
    reasons: [/./, /./, /./, /./, 'last alert 360 min before the watermark (half-life 360 min)'],
  },
  {
    name: 'kill-chain progression across four ATT&CK stages adds ten points',
    facts: {
      tacticMask: addAttackStages(0, ['TA0001', 'execution', 'Lateral Movement', 'TA0011']),
      distinctRules: 4,
      alertCount: 4,
    },
    // severity 50 + 15 = 65 -> 19.5; total 19.5 + 10 + 10 + 7.5 + 10 + 10 = 67
    priority: 67,
    raw: [65, 40, 50, 50, 100],
    reasons: [],
    adjustments: [['kill_chain', 10]],
  },
  {
    name: 'routine repeats are scored down by their share of the alerts',
    facts: { alertCount: 10, routine: { alerts: 8, rule: 'R-cron', intervalCv: 0.04 } },
    // 52.5 - 24 = 28.5 -> 29
    priority: 29,
    raw: [50, 40, 50, 50, 100],
    reasons: [],
    adjustments: [['routine_noise', -24]],
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
      ['severity', 0.3, 15],
      ['business_context', 0.25, 10],
      ['threat_intel', 0.2, 10],
      ['confidence', 0.15, 7.5],
      ['freshness', 0.1, 10],
    ]);
    const sum = explanation.factors.reduce((total, f) => total + f.contribution, 0);
    expect(Math.round(sum)).toBe(priority);
    expect(explanation.summary).toBe(
      'priority 53 = severity 15 + business_context 10 + threat_intel 10 + confidence 7.5 + freshness 10',
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
