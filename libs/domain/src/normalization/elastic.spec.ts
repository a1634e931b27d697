import {
  entityValues,
  normalizeOk,
  normalizeRejected,
} from '../../test/normalization/expect-result';

// Field names from Elastic's "Alert schema" page and ECS; the threat array's shape from the
// detection rules API (`threat: [{framework, tactic: {id, name}, technique: [{id, subtechnique}]}]`).
const base = {
  '@timestamp': '2022-03-19T02:48:12.634Z',
  'kibana.alert.uuid': 'a-1',
  'kibana.alert.rule.name': 'Suspicious PowerShell',
  'kibana.alert.rule.uuid': 'rule-uuid',
  'kibana.alert.severity': 'high',
  'kibana.alert.risk_score': 73,
};

describe('Elastic Security normalizer', () => {
  it('reads nested and flattened fields alike', () => {
    const nested = normalizeOk({
      '@timestamp': base['@timestamp'],
      kibana: {
        alert: {
          uuid: 'a-1',
          severity: 'high',
          risk_score: 73,
          rule: { name: 'Suspicious PowerShell', uuid: 'rule-uuid' },
        },
      },
      host: { name: 'WS-01' },
    });
    const flattened = normalizeOk({ ...base, 'host.name': 'WS-01' });
    expect({ ...nested, original: '' }).toEqual({ ...flattened, original: '' });
    expect(nested.severity).toBe(73);
    expect(nested.severityLabel).toBe('high');
  });

  it('maps the rule threat mapping and ECS threat fields to tactics and techniques', () => {
    const alert = normalizeOk({
      ...base,
      'kibana.alert.rule.threat': [
        {
          framework: 'MITRE ATT&CK',
          tactic: {
            id: 'TA0002',
            name: 'Execution',
            reference: 'https://attack.mitre.org/tactics/TA0002/',
          },
          technique: [
            {
              id: 'T1059',
              name: 'Command and Scripting Interpreter',
              subtechnique: [{ id: 'T1059.001', name: 'PowerShell' }],
            },
          ],
        },
      ],
      threat: {
        tactic: { id: ['TA0005'] },
        technique: { id: ['T1562'], subtechnique: { id: ['T1562.001'] } },
      },
    });
    expect(alert.tactics).toEqual(['TA0002', 'TA0005']);
    expect(alert.techniques).toEqual(['T1059', 'T1059.001', 'T1562', 'T1562.001']);
  });

  it('collects ECS entities', () => {
    const alert = normalizeOk({
      ...base,
      host: { name: 'ws-01', ip: ['10.0.0.5', 'fe80::1'] },
      user: { name: 'Alice', domain: 'CORP' },
      source: { ip: '203.0.113.9' },
      destination: { ip: '10.0.0.5' },
      file: { hash: { sha256: 'A'.repeat(64), md5: 'b'.repeat(32) } },
      process: { name: 'powershell.exe' },
      url: { full: 'https://Evil.Example/x' },
      dns: { question: { name: 'evil.example' } },
    });
    expect(entityValues(alert, 'ip')).toEqual([
      'destination:10.0.0.5',
      'destination:fe80::1',
      'source:203.0.113.9',
    ]);
    expect(entityValues(alert, 'user')).toEqual(['corp\\alice']);
    expect(entityValues(alert, 'file_hash')).toEqual(['b'.repeat(32), 'a'.repeat(64)]);
    expect(entityValues(alert, 'process')).toEqual(['powershell.exe']);
    expect(entityValues(alert, 'url')).toEqual(['https://evil.example/x']);
    expect(entityValues(alert, 'domain')).toEqual(['evil.example']);
  });

  it('unwraps a search hit and takes its _id when the document has no uuid', () => {
    const alert = normalizeOk({
      _index: '.alerts-security.alerts-default',
      _id: 'hit-7',
      _source: { ...base, 'kibana.alert.uuid': undefined },
    });
    expect(alert.alertId).toBe('hit-7');
  });

  it('prefers kibana.alert.start, then @timestamp, then the original event time', () => {
    expect(
      normalizeOk({ ...base, 'kibana.alert.start': '2022-03-19T02:40:00.000Z' }).observedAt,
    ).toBe(Date.UTC(2022, 2, 19, 2, 40));
    const { '@timestamp': _dropped, ...withoutTimestamp } = base;
    expect(
      normalizeOk({ ...withoutTimestamp, 'kibana.alert.original_time': '2022-03-19T02:47:57.376Z' })
        .observedAt,
    ).toBe(Date.UTC(2022, 2, 19, 2, 47, 57, 376));
  });

  it('reads the 7.x signal fields', () => {
    const alert = normalizeOk({
      '@timestamp': '2021-01-01T00:00:00Z',
      signal: {
        rule: {
          id: 'uuid-7x',
          rule_id: 'rule-7x',
          name: 'Legacy rule',
          severity: 'medium',
          risk_score: 47,
        },
        reason: 'because',
      },
    });
    expect([alert.ruleId, alert.ruleName, alert.severity, alert.description]).toEqual([
      'rule-7x',
      'Legacy rule',
      47,
      'because',
    ]);
  });

  it('rejects a risk score outside 0-100 and a document without any time', () => {
    expect(normalizeRejected({ ...base, 'kibana.alert.risk_score': 150 }).field).toBe(
      'kibana.alert.risk_score',
    );
    const { '@timestamp': _dropped, ...withoutTime } = base;
    expect(normalizeRejected(withoutTime)).toEqual({
      format: 'elastic',
      field: '@timestamp',
      reason: 'missing: every alert needs an event time',
    });
  });

  describe('plain ECS alerts', () => {
    const ecs = {
      '@timestamp': '2024-03-04T09:12:41.120Z',
      event: { kind: 'alert', id: 'e-1', severity: 'high' },
      rule: { id: '7002', name: 'Connection to known C2 infrastructure', category: 'c2' },
      observer: { vendor: 'Example Corp', product: 'NetSensor' },
      source: { ip: '10.20.30.42' },
      destination: { ip: '203.0.113.77' },
    };

    it('are detected and take the rule, the severity label and the observer', () => {
      const alert = normalizeOk(ecs);
      expect([
        alert.format,
        alert.ruleId,
        alert.ruleName,
        alert.severity,
        alert.severityLabel,
        alert.product,
        alert.alertId,
      ]).toEqual([
        'elastic',
        '7002',
        'Connection to known C2 infrastructure',
        75,
        'high',
        'NetSensor',
        'e-1',
      ]);
    });

    it('prefer the risk score, normalized first, to the severity', () => {
      const scored = { ...ecs, event: { ...ecs.event, risk_score: 40, risk_score_norm: 62 } };
      expect(normalizeOk(scored).severity).toBe(62);
      expect(normalizeOk({ ...ecs, 'event.risk_score': 40 }, 'elastic').severity).toBe(40);
    });

    it('read a numeric event.severity as 0-100 and reject one outside it', () => {
      expect(normalizeOk({ ...ecs, event: { ...ecs.event, severity: 47 } }).severity).toBe(47);
      expect(
        normalizeRejected({ ...ecs, event: { ...ecs.event, severity: 470 } }).reason,
      ).toContain('unknown severity');
    });

    it('are not taken for Elastic when they are no alert', () => {
      expect(normalizeRejected({ ...ecs, event: { kind: 'event' } }).reason).toContain(
        'unrecognized format',
      );
    });
  });
});
