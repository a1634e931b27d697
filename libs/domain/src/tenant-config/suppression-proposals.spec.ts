import type { AlertEntity, AnalystVerdict } from '@soc/contracts';
import { parseCorrelationConfig } from '../correlation';
import {
  DEFAULT_PROPOSAL_OPTIONS,
  proposeSuppressions,
  type HistoryIncident,
} from './suppression-proposals';

const host = (value: string): AlertEntity => ({
  type: 'host',
  value,
  role: null,
  hashAlgorithm: null,
});

let serial = 0;
function anIncident(
  verdict: AnalystVerdict | null,
  { ruleId = 'R-scan', hostName = 'scanner-01', tactics = ['discovery'], extra = 0 } = {},
): HistoryIncident {
  serial += 1;
  const alert = { ruleId, entities: [host(hostName)], tactics };
  const other = { ruleId: 'R-other', entities: [host(hostName)], tactics: [] };
  return {
    incidentId: `inc-${serial}`,
    verdict,
    alerts: [alert, alert, ...Array<typeof other>(extra).fill(other)],
  };
}

const options = { ...DEFAULT_PROPOSAL_OPTIONS, decided: new Set<string>() };
const times = <T>(n: number, make: () => T): T[] => Array.from({ length: n }, make);

describe('proposeSuppressions', () => {
  it('proposes a rule on an entity closed as false positive again and again, with its preview', () => {
    const history = [
      ...times(5, () => anIncident('false_positive')),
      anIncident(null, { extra: 1 }),
      anIncident('true_positive', { hostName: 'dc-01' }),
    ];
    const [top] = proposeSuppressions(history, options);
    expect(top?.kind).toBe('rule-entity');
    expect(top?.rule).toMatchObject({
      ruleIds: ['R-scan'],
      entities: [{ type: 'host', value: 'scanner-01' }],
      tactics: null,
    });
    expect(top?.preview).toEqual({
      alerts: 12,
      incidentsFolded: 5,
      incidentsTouched: 6,
      falsePositives: 5,
      truePositives: 0,
      truePositiveIncidentIds: [],
    });
  });

  it('shows the true positives a broader pattern would have hidden', () => {
    const history = [
      ...times(10, () => anIncident('false_positive', { hostName: `ws-${serial}` })),
      anIncident('true_positive', { hostName: 'dc-01' }),
    ];
    const [broad] = proposeSuppressions(history, options);
    expect(broad?.kind).toBe('rule-type-tactic');
    expect(broad?.rule).toMatchObject({
      entities: [{ type: 'host', value: '*' }],
      tactics: ['discovery'],
    });
    expect(broad?.preview.truePositives).toBe(1);
    expect(broad?.preview.truePositiveIncidentIds).toHaveLength(1);
  });

  it('needs enough evidence: four false positives, or a true positive among five, propose nothing', () => {
    expect(
      proposeSuppressions(
        times(4, () => anIncident('false_positive')),
        options,
      ),
    ).toEqual([]);
    const mixed = [...times(5, () => anIncident('false_positive')), anIncident('true_positive')];
    expect(proposeSuppressions(mixed, options)).toEqual([]);
  });

  it('leaves out what was decided, and gives the same ids for the same history', () => {
    const history = times(5, () => anIncident('false_positive'));
    const first = proposeSuppressions(history, options);
    expect(proposeSuppressions(history, options).map((p) => p.id)).toEqual(first.map((p) => p.id));
    const decided = new Set(first.map((p) => p.id));
    expect(proposeSuppressions(history, { ...options, decided })).toEqual([]);
  });

  it('gives rules the correlation policy accepts and that suppress the pattern they describe', () => {
    const history = times(6, () => anIncident('false_positive'));
    for (const proposal of proposeSuppressions(history, options)) {
      const parsed = parseCorrelationConfig({ defaults: { suppressions: [proposal.rule] } });
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
      const compiled = parsed.config.defaults;
      const alert = { ruleId: 'R-scan', tactics: ['Discovery'], entities: [host('scanner-01')] };
      expect(compiled.suppressionFor(alert as never)?.id).toBe(proposal.id);
      expect(compiled.suppressionFor({ ...alert, ruleId: 'R-other' } as never)).toBeUndefined();
    }
  });
});
