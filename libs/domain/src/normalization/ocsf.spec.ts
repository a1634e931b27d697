import {
  entityValues,
  normalizeOk,
  normalizeRejected,
} from '../../test/normalization/expect-result';

// Attribute names from the OCSF schema (Detection Finding 2004, Security Finding 2001, the
// attack, observable, evidences and fingerprint objects).
const finding = {
  class_uid: 2004,
  category_uid: 2,
  time: 1775797980000,
  severity_id: 4,
  metadata: { version: '1.3.0', product: { name: 'Defender', vendor_name: 'Example' } },
  finding_info: {
    uid: 'f-1',
    title: 'Credential dumping',
    analytic: { uid: 'rule-9', name: 'LSASS access', type_id: 1 },
  },
};

describe('OCSF normalizer', () => {
  it('reads finding_info, the analytic and finding_info.attacks with sub-techniques', () => {
    const alert = normalizeOk({
      ...finding,
      finding_info: {
        ...finding.finding_info,
        attacks: [
          {
            tactic: { uid: 'TA0006', name: 'Credential Access' },
            technique: { uid: 'T1003' },
            sub_technique: { uid: 'T1003.001' },
          },
        ],
      },
    });
    expect([alert.alertId, alert.ruleId, alert.ruleName, alert.title]).toEqual([
      'f-1',
      'rule-9',
      'LSASS access',
      'Credential dumping',
    ]);
    expect([alert.severity, alert.severityLabel]).toEqual([75, 'High']);
    expect(alert.tactics).toEqual(['TA0006']);
    expect(alert.techniques).toEqual(['T1003', 'T1003.001']);
  });

  it('reads the 1.0 layout: top-level attacks with a tactics list', () => {
    const alert = normalizeOk({
      ...finding,
      class_uid: 2001,
      attacks: [
        { tactics: [{ uid: 'TA0002' }, { name: 'Persistence' }], technique: { uid: 't1059' } },
      ],
    });
    expect(alert.tactics).toEqual(['TA0002', 'Persistence']);
    expect(alert.techniques).toEqual(['T1059']);
  });

  it('collects device, actor, endpoints, evidences and hashes', () => {
    const alert = normalizeOk({
      ...finding,
      device: { hostname: 'WS-01', ip: '10.0.0.5' },
      actor: { user: { name: 'alice', domain: 'CORP' }, process: { name: 'mimikatz.exe' } },
      src_endpoint: { ip: '203.0.113.9' },
      evidences: [
        {
          process: {
            name: 'lsass.exe',
            file: {
              hashes: [
                { algorithm_id: 3, value: 'C'.repeat(64) },
                { algorithm_id: 6, value: 'T1'.repeat(35) },
              ],
            },
          },
          dst_endpoint: { ip: '10.0.0.7', hostname: 'dc-01' },
          url: { url_string: 'http://example.test/a' },
          query: { hostname: 'evil.example' },
        },
      ],
      observables: [
        { name: 'src_endpoint.ip', type_id: 2, value: '203.0.113.9' },
        { name: 'user', type_id: 4, value: 'alice' },
        { name: 'file.hash', type_id: 8, value: 'd'.repeat(40) },
        { name: 'dst.ip', type: 'Other', value: '10.0.0.8' },
      ],
    });
    expect(entityValues(alert, 'ip')).toEqual([
      'source:203.0.113.9',
      'destination:10.0.0.8',
      'destination:10.0.0.5',
      'destination:10.0.0.7',
    ]);
    expect(entityValues(alert, 'host')).toEqual(['ws-01', 'dc-01']);
    expect(entityValues(alert, 'user')).toEqual(['alice', 'corp\\alice']);
    expect(entityValues(alert, 'file_hash')).toEqual(['d'.repeat(40), 'c'.repeat(64)]);
    expect(entityValues(alert, 'process')).toEqual(['mimikatz.exe', 'lsass.exe']);
    expect(entityValues(alert, 'domain')).toEqual(['evil.example']);
  });

  it('reads confidence as a 0-100 number or from confidence_id', () => {
    expect(normalizeOk({ ...finding, confidence: 85 }).confidence).toBe(85);
    expect(normalizeOk({ ...finding, confidence_id: 3 }).confidence).toBe(90);
    expect(normalizeOk({ ...finding }).confidence).toBeNull();
  });

  it('takes time_dt, then the finding created time, when time is absent', () => {
    const { time: _dropped, ...noTime } = finding;
    expect(normalizeOk({ ...noTime, time_dt: '2026-04-10T05:13:00Z' }).observedAt).toBe(
      Date.UTC(2026, 3, 10, 5, 13),
    );
    expect(
      normalizeOk({
        ...noTime,
        finding_info: { ...finding.finding_info, created_time: 1775797260000 },
      }).observedAt,
    ).toBe(1775797260000);
    expect(normalizeRejected(noTime)).toEqual({
      format: 'ocsf',
      field: 'time',
      reason: 'missing or unreadable: every alert needs an event time',
    });
  });

  it('rejects classes other than the two finding classes, and unknown severity ids', () => {
    expect(normalizeRejected({ ...finding, class_uid: 4001 }).field).toBe('class_uid');
    expect(normalizeRejected({ ...finding, severity_id: 7 }).field).toBe('severity_id');
  });
});
