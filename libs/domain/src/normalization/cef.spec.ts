import {
  entityValues,
  INGESTED_AT,
  normalizeOk,
  normalizeRejected,
} from '../../test/normalization/expect-result';

// Header and extension examples from the beats CEF parser tests (elastic/beats
// x-pack/filebeat/processors/decode_cef/cef/cef_test.go) with an `rt` added where the
// original has none, since an alert needs an event time.
const RT = ' rt=1543270652000';

describe('CEF normalizer', () => {
  it('unescapes \\| and \\\\ in header fields', () => {
    const alert = normalizeOk(
      `CEF:0|security\\\\compliance|threat\\|->manager|1.0|100|message contains escapes|10|spt=1232${RT}`,
    );
    expect(alert.vendor).toBe('security\\compliance');
    expect(alert.product).toBe('threat|->manager');
  });

  it('unescapes \\=, \\\\, \\n and \\r in extension values', () => {
    const alert = normalizeOk(
      `CEF:0|security|threatmanager|1.0|100|escapes|10|${RT.trim()} msg=Newlines in messages\\nare allowed.\\r\\nAnd so are carriage feeds\\\\newlines\\\\\\=.`,
    );
    expect(alert.description).toBe(
      'Newlines in messages\nare allowed.\r\nAnd so are carriage feeds\\newlines\\=.',
    );
  });

  it('runs a multi-word value until the next key', () => {
    const alert = normalizeOk(
      `CEF:0|FORCEPOINT|Firewall|6.6.1|70018|Connection_Allowed|0|msg=Referred connection: 10.1.1.40 -> 10.37.133.35 frag\\=0x4000 TCP 47413->3020 deviceFacility=Packet Filtering${RT}`,
    );
    expect(alert.description).toBe(
      'Referred connection: 10.1.1.40 -> 10.37.133.35 frag=0x4000 TCP 47413->3020',
    );
  });

  it('keeps an unescaped = that starts no key as part of the value', () => {
    const alert = normalizeOk(
      `CEF:0|vendor|product|version|event_id|name|Very-High| msg=Hello World error=Failed because id==old_id${RT}`,
    );
    expect(alert.severity).toBe(95);
    expect(alert.severityLabel).toBe('Very-High');
    expect(alert.description).toBe('Hello World');
  });

  it('accepts a pipe inside an extension value, escaped or not', () => {
    const alert = normalizeOk(
      `CEF:0|security|threatmanager|1.0|100|pipes|10|msg=this|has an pipe and this\\|one${RT}`,
    );
    expect(alert.description).toBe('this|has an pipe and this|one');
  });

  it('writes custom strings and numbers with their labels into the description', () => {
    const alert = normalizeOk(
      `CEF:0|v|p|1|sig|name|5|cs1Label=RuleID cs1=605.0 cn2=5 cn2Label=Duration in Seconds cs3=unlabelled${RT}`,
    );
    expect(alert.description).toBe('RuleID=605.0; cs3=unlabelled; Duration in Seconds=5');
  });

  it('reads extension keys by their full names too', () => {
    const alert = normalizeOk(
      `CEF:0|v|p|1|sig|name|5|sourceAddress=10.0.0.1 destinationAddress=2001:db8::1 sourceUserName=Alice destinationNtDomain=CORP destinationUserName=Bob requestURL=HTTP://Example.COM/Path?q=A${RT}`,
    );
    expect(entityValues(alert, 'ip')).toEqual(['source:10.0.0.1', 'destination:2001:db8::1']);
    expect(entityValues(alert, 'user')).toEqual(['alice', 'corp\\bob']);
    expect(entityValues(alert, 'url')).toEqual(['http://example.com/Path?q=A']);
  });

  it.each([
    ['rt=1593409661000', Date.UTC(2020, 5, 29, 5, 47, 41)],
    ['rt=Jun 29 2020 05:47:41', Date.UTC(2020, 5, 29, 5, 47, 41)],
    ['rt=Jun 29 2020 05:47:41.250 UTC', Date.UTC(2020, 5, 29, 5, 47, 41, 250)],
    ['rt=Mar 09 2015 17:05:21 GMT+08:00', Date.UTC(2015, 2, 9, 9, 5, 21)],
    ['end=Jan 17 2020 08:52:10 PST', Date.UTC(2020, 0, 17, 16, 52, 10)],
    ['start=2021-04-26T07:45:50.116Z', Date.UTC(2021, 3, 26, 7, 45, 50, 116)],
    // No year: the year of ingestedAt (2026-01-15) unless that is more than a week ahead.
    ['rt=Jan 10 09:00:00', Date.UTC(2026, 0, 10, 9, 0, 0)],
    ['rt=Dec 31 23:59:59', Date.UTC(2025, 11, 31, 23, 59, 59)],
  ])('reads the event time from %s', (field, expected) => {
    expect(normalizeOk(`CEF:0|v|p|1|sig|name|5|src=10.0.0.1 ${field}`).observedAt).toBe(expected);
  });

  it('prefers rt over end and start', () => {
    const alert = normalizeOk(
      'CEF:0|v|p|1|sig|name|5|start=1500000000000 end=1500000001000 rt=1500000002000',
    );
    expect(alert.observedAt).toBe(1500000002000);
  });

  it.each([
    // Three days after ingestedAt is within the week of clock skew allowed; a month is not.
    [
      '<13>Jan 18 11:07:53 192.168.1.1 CEF:0|v|p|1|sig|name|5|src=10.0.0.1',
      Date.UTC(2026, 0, 18, 11, 7, 53),
    ],
    [
      'Feb 15 11:07:53 myhostname CEF:0|v|p|1|sig|name|5|src=10.0.0.1',
      Date.UTC(2025, 1, 15, 11, 7, 53),
    ],
    [
      '<133>1 2019-01-18T11:07:53.520+07:00 myhostname CEF:0|v|p|1|sig|name|5|src=10.0.0.1',
      Date.UTC(2019, 0, 18, 4, 7, 53, 520),
    ],
    [
      'Oct 30, 2021 10:34:23 host.domain.com CEF:0|v|p|1|sig|name|Low|src=10.0.0.1',
      Date.UTC(2021, 9, 30, 10, 34, 23),
    ],
  ])('takes the syslog header time when the extension has none: %s', (line, expected) => {
    expect(normalizeOk(line).observedAt).toBe(expected);
  });

  it('uses externalId as the alert id and the content hash otherwise', () => {
    expect(normalizeOk(`CEF:0|v|p|1|sig|name|5|externalId=151${RT}`).alertId).toBe('151');
    const hashed = normalizeOk(`CEF:0|v|p|1|sig|name|5|src=10.0.0.1${RT}`).alertId;
    expect(hashed).toMatch(/^fnv1a64:[0-9a-f]{16}$/);
    expect(normalizeOk(`CEF:0|v|p|1|sig|name|5|src=10.0.0.1${RT}`).alertId).toBe(hashed);
  });

  it('accepts a header without a closing pipe or extension when the syslog header has the time', () => {
    const alert = normalizeOk(
      'Sep 19 08:26:10 host CEF:0|security|threatmanager|1.0|100|worm successfully stopped|10',
    );
    expect(alert.title).toBe('worm successfully stopped');
  });

  it('takes the arrival time, flagged, when the record has no rt, end, start or header time', () => {
    const alert = normalizeOk(
      'CEF:0|security|threatmanager|1.0|100|trojan successfully stopped|10|src=10.0.0.192',
    );
    expect([alert.observedAt, alert.observedAtFromArrival]).toEqual([INGESTED_AT, true]);
  });

  it('does not flag a record whose own time was read', () => {
    expect(normalizeOk('CEF:0|v|p|1|sig|name|5|rt=1508318763000').observedAtFromArrival).toBe(
      false,
    );
  });

  it('rejects an unreadable rt rather than falling back to another time', () => {
    expect(
      normalizeRejected('Sep 19 08:26:10 host CEF:0|v|p|1|sig|name|5|rt=yesterday').field,
    ).toBe('rt');
  });

  it('rejects a severity outside the CEF scale', () => {
    expect(normalizeRejected(`CEF:0|v|p|1|sig|name|11|src=10.0.0.1${RT}`).field).toBe('severity');
    expect(normalizeRejected(`CEF:0|v|p|1|sig|name|urgent|src=10.0.0.1${RT}`).field).toBe(
      'severity',
    );
  });

  it('rejects a truncated header', () => {
    expect(
      normalizeRejected('CEF:0|SentinelOne|Mgmt|activityID=1111111111111111111 activityType=3505'),
    ).toEqual({
      format: 'cef',
      field: 'header',
      reason: 'a CEF header needs 7 |-separated fields after CEF:',
    });
  });
});
