import type { CanonicalAlert } from '@soc/contracts';
import { normalizeOk, normalizeRejected } from '../../test/normalization/expect-result';

const valid: CanonicalAlert = {
  tenantId: 'acme',
  alertId: 'a-1',
  sourceSystem: 'splunk-eu',
  observedAt: 1_714_557_600_000,
  ingestedAt: 1_714_557_601_000,
  product: 'Splunk Enterprise Security',
  vendor: 'Splunk',
  ruleId: null,
  ruleName: null,
  title: 'Root used',
  description: null,
  severity: 75,
  severityLabel: 'high',
  confidence: null,
  category: 'identity',
  tactics: [],
  techniques: ['T1078'],
  entities: [
    { type: 'ip', value: '10.0.0.5', role: 'destination', hashAlgorithm: null },
    { type: 'file_hash', value: 'a'.repeat(64), role: null, hashAlgorithm: 'sha256' },
  ],
  threatIntel: [
    { indicator: '10.0.0.5', indicatorType: 'ip', source: 'feed', verdict: 'benign', score: 0 },
  ],
  format: 'splunk',
  original: '{}',
};

describe('canonical alert validation', () => {
  it('accepts a valid alert, re-homed to the caller tenant and without unknown fields', () => {
    const alert = normalizeOk({ ...valid, tenantId: 'someone-else', extra: 'dropped' });
    expect(alert).toEqual({
      ...valid,
      tenantId: 'acme',
      observedAtFromArrival: false,
      truncated: [],
    });
  });

  it('keeps the cuts an earlier ingest recorded', () => {
    expect(normalizeOk({ ...valid, truncated: ['title'] }).truncated).toEqual(['title']);
  });

  it('keeps the arrival-time flag and rejects one that is not a boolean', () => {
    expect(normalizeOk({ ...valid, observedAtFromArrival: true }).observedAtFromArrival).toBe(true);
    expect(normalizeRejected({ ...valid, observedAtFromArrival: 'yes' }).field).toBe(
      'observedAtFromArrival',
    );
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    ['a missing field', { title: undefined }, 'title', 'missing'],
    ['a blank id', { alertId: '  ' }, 'alertId', 'must not be blank'],
    [
      'seconds for milliseconds',
      { observedAt: 1_714_557_600 },
      'observedAt',
      'outside 1980..2100: probably a unit mistake',
    ],
    [
      'a fractional time',
      { ingestedAt: 1.5e12 + 0.5 },
      'ingestedAt',
      'expected epoch milliseconds (an integer)',
    ],
    ['severity above 100', { severity: 101 }, 'severity', 'expected an integer 0-100'],
    [
      'an absent confidence',
      { confidence: undefined },
      'confidence',
      'missing (use null for "absent")',
    ],
    ['a blank tactic', { tactics: ['TA0001', ' '] }, 'tactics[1]', 'expected a non-blank string'],
    [
      'an unknown format',
      { format: 'syslog' },
      'format',
      'expected one of canonical, simple-json, elastic, ocsf, cef, leef, suricata, wazuh, splunk, ms-graph, aminer',
    ],
    [
      'an ip without role',
      { entities: [{ type: 'ip', value: '10.0.0.5', role: null, hashAlgorithm: null }] },
      'entities[0].role',
      'an ip entity needs a role',
    ],
    [
      'a role on a host',
      { entities: [{ type: 'host', value: 'h', role: 'source', hashAlgorithm: null }] },
      'entities[0].role',
      'only ip entities have a role',
    ],
    [
      'an unknown entity type',
      { entities: [{ type: 'mac', value: 'aa', role: null, hashAlgorithm: null }] },
      'entities[0].type',
      'expected one of host, user, ip, file_hash, domain, url, process, email, cloud_resource',
    ],
    [
      'a digest of the wrong length',
      {
        entities: [
          { type: 'file_hash', value: 'a'.repeat(40), role: null, hashAlgorithm: 'sha256' },
        ],
      },
      'entities[0].value',
      'not a hex sha256 digest',
    ],
    [
      'an unknown verdict',
      {
        threatIntel: [
          { indicator: 'x', indicatorType: 'ip', source: 'f', verdict: 'evil', score: 1 },
        ],
      },
      'threatIntel[0].verdict',
      'expected malicious, suspicious, benign or unknown',
    ],
  ])('rejects %s with the field path', (_name, change, field, reason) => {
    expect(normalizeRejected({ ...valid, ...change }, 'canonical')).toEqual({
      format: 'canonical',
      field,
      reason,
    });
  });
});
