import {
  entityValues,
  normalizeOk,
  normalizeRejected,
} from '../../test/normalization/expect-result';

// Shape of an alerts.json line as the Wazuh docs show it (rule, agent, data, syscheck).
const line = (rule: object, extra: object = {}) => ({
  timestamp: '2023-04-25T13:50:43.764000Z',
  rule: { id: '5710', description: 'sshd: Attempt to login using a non-existent user', ...rule },
  agent: { id: '001', name: 'web-01', ip: '10.0.0.5' },
  manager: { name: 'wazuh-manager' },
  ...extra,
});

describe('Wazuh normalizer', () => {
  it.each([
    [0, 0],
    [3, 20],
    [7, 47],
    [12, 80],
    [15, 100],
  ])('maps rule.level %i to %i', (level, severity) => {
    expect(normalizeOk(line({ level })).severity).toBe(severity);
  });

  it('collects agent, source, users and who-data', () => {
    const alert = normalizeOk(
      line(
        { level: 5 },
        {
          data: { srcip: '203.0.113.50', dstip: '10.0.0.5', srcuser: 'blimey', dstuser: 'Admin' },
          syscheck: {
            path: '/etc/passwd',
            event: 'modified',
            audit: { process: { name: '/usr/bin/vim' } },
          },
        },
      ),
    );
    expect(entityValues(alert, 'ip')).toEqual(['destination:10.0.0.5', 'source:203.0.113.50']);
    expect(entityValues(alert, 'user')).toEqual(['blimey', 'admin']);
    expect(entityValues(alert, 'host')).toEqual(['web-01']);
    expect(alert.description).toBe('File /etc/passwd modified');
  });

  it('rejects a level outside 0-15 and an alert without a rule', () => {
    expect(normalizeRejected(line({ level: 16 }))).toEqual({
      format: 'wazuh',
      field: 'rule.level',
      reason: '16 is outside 0-15',
    });
    expect(
      normalizeRejected({ timestamp: '2023-04-25T13:50:43Z', rule: 'x', agent: {} }, 'wazuh').field,
    ).toBe('rule');
  });

  it('reads an indexer document: the search hit unwrapped, @timestamp without timestamp', () => {
    const { timestamp: _dropped, ...stored } = line({ level: 3 }, { id: '1642723347.2816617' });
    const hit = {
      _index: 'wazuh-alerts-4.x-2023.04.25',
      _id: 'abc',
      _source: { ...stored, '@timestamp': '2023-04-25T13:50:43.764Z' },
    };
    const alert = normalizeOk(hit);
    expect([alert.format, alert.observedAt, alert.alertId]).toEqual([
      'wazuh',
      Date.parse('2023-04-25T13:50:43.764Z'),
      '1642723347.2816617',
    ]);
    expect(normalizeOk(hit._source).observedAt).toBe(alert.observedAt);
  });

  it('takes the hit _id when the stored alert has no id', () => {
    const { timestamp: _dropped, ...stored } = line({ level: 3 });
    const alert = normalizeOk({ _id: 'hit-1', _source: { ...stored, '@timestamp': 1682430643 } });
    expect(alert.alertId).toBe('hit-1');
  });
});
