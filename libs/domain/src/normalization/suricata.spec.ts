import {
  entityValues,
  normalizeOk,
  normalizeRejected,
} from '../../test/normalization/expect-result';

// Records follow the "Eve JSON Format" page of the Suricata docs; the ET metadata keys are the
// ones Emerging Threats rules write (mitre_tactic_id, mitre_technique_id, confidence).
const alertLine = (
  extra: string,
  alert = '"signature_id":2018358,"signature":"ET HUNTING test","category":"Potentially Bad Traffic","severity":2',
) =>
  `{"timestamp":"2017-04-07T22:24:37.251547+0100","flow_id":9223372036854775807,"event_type":"alert","src_ip":"192.168.2.14","src_port":50096,"dest_ip":"209.53.113.5","dest_port":80,"proto":"TCP","alert":{${alert}}${extra}}`;

describe('Suricata EVE normalizer', () => {
  it('keeps every digit of a flow_id beyond 2^53 when the record is text', () => {
    expect(normalizeOk(alertLine('')).description).toContain('flow_id 9223372036854775807');
  });

  it.each([
    [1, 80],
    [2, 50],
    [3, 25],
    [4, 10],
  ])('maps alert.severity %i (1 is the highest) to %i', (level, severity) => {
    const alert = normalizeOk(
      alertLine('', `"signature_id":1,"signature":"x","severity":${level}`),
    );
    expect([alert.severity, alert.severityLabel]).toEqual([severity, String(level)]);
  });

  it('reads ATT&CK and confidence from the rule metadata', () => {
    const alert = normalizeOk(
      alertLine(
        '',
        '"signature_id":1,"signature":"x","severity":1,"metadata":{"mitre_tactic_id":["TA0011"],"mitre_tactic_name":["Command_And_Control"],"mitre_technique_id":["T1071"],"confidence":["High"]}',
      ),
    );
    expect(alert.tactics).toEqual(['TA0011', 'Command_And_Control']);
    expect(alert.techniques).toEqual(['T1071']);
    expect(alert.confidence).toBe(90);
  });

  it('collects HTTP, TLS, DNS and file entities', () => {
    const alert = normalizeOk(
      alertLine(
        ',"http":{"hostname":"Testmynids.org","url":"/uid/index.html"},"tls":{"sni":"l2.io"},"dns":{"query":[{"rrname":"evil.example"}]},"fileinfo":{"sha256":"' +
          'f610428ebddf6f8cf9e39322e672583c45fcdcf885efad0ab48fd53a3dfc2c4b"}',
      ),
    );
    expect(entityValues(alert, 'domain')).toEqual(['testmynids.org', 'l2.io', 'evil.example']);
    expect(entityValues(alert, 'url')).toEqual(['http://testmynids.org/uid/index.html']);
    expect(entityValues(alert, 'file_hash')).toEqual([
      'f610428ebddf6f8cf9e39322e672583c45fcdcf885efad0ab48fd53a3dfc2c4b',
    ]);
  });

  it('gives the same record the same content id', () => {
    expect(normalizeOk(alertLine('')).alertId).toBe(normalizeOk(alertLine('')).alertId);
    expect(normalizeOk(alertLine('')).alertId).not.toBe(
      normalizeOk(alertLine(',"tx_id":5')).alertId,
    );
  });

  it('rejects telemetry that is not an alert, and an alert record without its alert object', () => {
    expect(
      normalizeRejected({
        timestamp: '2018-07-05T15:51:20.213418-0400',
        event_type: 'dns',
        src_ip: '192.168.86.1',
      }),
    ).toEqual({
      format: 'suricata',
      field: 'event_type',
      reason: "'dns' is not an alert",
    });
    expect(
      normalizeRejected({
        timestamp: '2018-07-05T15:51:20Z',
        event_type: 'alert',
        src_ip: '1.2.3.4',
      }).field,
    ).toBe('alert');
  });
});
