import { defaultCorrelationConfig, policyFor, scoringContextFor, withAssetLookup } from './config';
import { parseCorrelationConfig } from './parse-policy';
import { DEFAULT_CORRELATION_POLICY } from './policy';
import { anAlert, host, ip, user } from '../../test/correlation/spec-support';

const errorsOf = (raw: unknown) => {
  const result = parseCorrelationConfig(raw);
  return result.ok ? [] : result.errors;
};

describe('parseCorrelationConfig', () => {
  it('accepts an empty object as the documented defaults', () => {
    const result = parseCorrelationConfig({});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.defaults.policy).toEqual(DEFAULT_CORRELATION_POLICY);
    expect(DEFAULT_CORRELATION_POLICY).toMatchObject({
      windowMs: 15 * 60_000,
      campaign: { horizonMs: 24 * 3_600_000 },
      scoring: {
        highPriorityThreshold: 80,
        weights: {
          severity: 0.3,
          business_context: 0.25,
          threat_intel: 0.2,
          confidence: 0.15,
          freshness: 0.1,
        },
      },
    });
  });

  it('deep-merges a tenant override over the defaults: objects key by key, lists replaced', () => {
    const result = parseCorrelationConfig({
      defaults: { windowMs: 600_000, campaign: { riskThreshold: 300 } },
      tenants: {
        globex: {
          campaign: { horizonMs: 3_600_000 },
          linkingEntityTypes: ['host'],
          scoring: { weights: { severity: 0.4, freshness: 0 } },
        },
      },
    });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const globex = policyFor(result.config, 'globex', undefined).policy;
    expect(globex.windowMs).toBe(600_000);
    expect(globex.campaign).toEqual({
      horizonMs: 3_600_000,
      riskThreshold: 300,
      minPriority: DEFAULT_CORRELATION_POLICY.campaign.minPriority,
      spreadWindowMs: DEFAULT_CORRELATION_POLICY.campaign.spreadWindowMs,
    });
    expect(globex.linkingEntityTypes).toEqual(['host']);
    expect(globex.scoring.weights.severity).toBe(0.4);
    expect(policyFor(result.config, 'acme', undefined).policy.linkingEntityTypes).toEqual(
      DEFAULT_CORRELATION_POLICY.linkingEntityTypes,
    );
  });

  it.each([
    ['a misspelt field', { defaults: { windowMS: 1 } }, 'defaults.windowMS', /unknown field/],
    [
      'a non-positive window',
      { defaults: { windowMs: 0 } },
      'defaults.windowMs',
      'must be an integer > 0 and <= 9007199254740991',
    ],
    [
      'a max span shorter than the window',
      { defaults: { windowMs: 600_000, maxIncidentSpanMs: 60_000 } },
      'defaults.maxIncidentSpanMs',
      'must be at least windowMs',
    ],
    [
      'an unknown entity type',
      { defaults: { linkingEntityTypes: ['host', 'mac'] } },
      'defaults.linkingEntityTypes[1]',
      /must be an entity type/,
    ],
    [
      'a malformed CIDR',
      { defaults: { allowlist: { cidrs: ['10.0.0.0/33'] } } },
      'defaults.allowlist.cidrs[0]',
      /IPv4 CIDR/,
    ],
    [
      'weights that do not sum to 1',
      { tenants: { acme: { scoring: { weights: { severity: 0.9 } } } } },
      'tenants.acme.scoring.weights',
      /sum to 1/,
    ],
    [
      'a suppression without a reason',
      { defaults: { suppressions: [{ id: 'S-1', ruleIds: ['R-1'] }] } },
      'defaults.suppressions[0].reason',
      /required/,
    ],
    [
      'a suppression that would match everything',
      { defaults: { suppressions: [{ id: 'S-1', reason: 'x' }] } },
      'defaults.suppressions[0]',
      /at least one of/,
    ],
    [
      'duplicate suppression ids',
      {
        defaults: {
          suppressions: [
            { id: 'S', reason: 'x', ruleIds: ['a'] },
            { id: 'S', reason: 'y', ruleIds: ['b'] },
          ],
        },
      },
      'defaults.suppressions[1].id',
      /duplicate/,
    ],
    [
      'an asset criticality out of range',
      { defaults: { scoring: { assets: [{ type: 'host', value: 'db-01', criticality: 9 }] } } },
      'defaults.scoring.assets[0].criticality',
      /<= 5/,
    ],
    [
      'a tenant that is not an object',
      { tenants: { acme: 3 } },
      'tenants.acme',
      'must be an object',
    ],
  ])('rejects %s, naming the field', (_name, raw, path, message) => {
    const errors = errorsOf(raw);
    expect(errors.map((e) => e.path)).toContain(path);
    const error = errors.find((e) => e.path === path);
    if (typeof message === 'string') expect(error?.message).toBe(message);
    else expect(error?.message).toMatch(message);
  });

  it('collects every error, not just the first', () => {
    expect(
      errorsOf({ defaults: { windowMs: -1, allowedLatenessMs: 'soon' } }).map((e) => e.path),
    ).toEqual(['defaults.windowMs', 'defaults.allowedLatenessMs']);
  });
});

describe('compiled policy matchers', () => {
  const { defaults } = defaultCorrelationConfig();

  it('links hosts and users but not processes, loopback addresses or service accounts by default', () => {
    expect(defaults.links(host('ws-01'))).toBe(true);
    expect(defaults.links(user('acme\\alice'))).toBe(true);
    expect(
      defaults.links({ type: 'process', value: 'powershell.exe', role: null, hashAlgorithm: null }),
    ).toBe(false);
    expect(defaults.links(ip('127.0.0.1'))).toBe(false);
    expect(defaults.links(ip('203.0.113.7'))).toBe(true);
    expect(defaults.links(user('acme\\svc_backup'))).toBe(false);
    expect(defaults.links(user('nt authority\\system'))).toBe(false);
    expect(defaults.links(user('system@acme.example'))).toBe(false);
  });

  it('matches suppressions on rule id, wildcard rule name and entity value, honouring `until`', () => {
    const parsed = parseCorrelationConfig({
      defaults: {
        suppressions: [
          { id: 'by-id', reason: 'tuning', ruleIds: ['R-9'] },
          {
            id: 'scanner',
            reason: 'scanner',
            ruleNames: ['*scan*'],
            entities: [{ type: 'ip', value: '10.0.0.*' }],
            until: Date.UTC(2025, 0, 16),
          },
        ],
      },
    });
    if (!parsed.ok) throw new Error('config rejected');
    const match = parsed.config.defaults.suppressionFor;
    expect(match(anAlert({ ruleId: 'R-9' }))?.id).toBe('by-id');
    expect(match(anAlert({ ruleName: 'Internal Port SCAN', entities: [ip('10.0.0.5')] }))?.id).toBe(
      'scanner',
    );
    expect(
      match(anAlert({ ruleName: 'Internal port scan', entities: [ip('10.1.0.5')] })),
    ).toBeUndefined();
    expect(
      match(
        anAlert({
          ruleName: 'Internal port scan',
          entities: [ip('10.0.0.5')],
          observedAt: Date.UTC(2025, 0, 17),
        }),
      ),
    ).toBeUndefined();
  });

  it('looks assets up in the inline inventory, or in a lookup the shell plugs in', () => {
    const parsed = parseCorrelationConfig({
      defaults: {
        scoring: {
          assets: [{ type: 'host', value: 'DB-01', criticality: 5, tags: ['crown-jewel'] }],
        },
      },
    });
    if (!parsed.ok) throw new Error('config rejected');
    expect(parsed.config.defaults.scoringContext.assets(host('db-01'))).toEqual({
      criticality: 5,
      tags: ['crown-jewel'],
    });
    const plugged = withAssetLookup(parsed.config, (tenantId) => () => ({
      criticality: tenantId === 'acme' ? 4 : 1,
      tags: [],
    }));
    expect(scoringContextFor(plugged, 'acme', undefined).assets(host('any'))?.criticality).toBe(4);
    expect(scoringContextFor(plugged, 'globex', undefined).assets(host('db-01'))?.criticality).toBe(
      1,
    );
  });
});
