import {
  entityValues,
  INGESTED_AT,
  normalizeOk,
  normalizeRejected,
} from '../../test/normalization/expect-result';

// Header forms from IBM's "LEEF event components" (delimiter table: `^`, `x5E`, `x7c`) and the
// Lancope event quoted there; attributes from the predefined LEEF attributes table.
const LANCOPE = 'src=10.0.1.8^dst=10.0.0.5^sev=5^srcPort=81^dstPort=21^devTime=1508318763060';

describe('LEEF normalizer', () => {
  it.each(['^', 'x5E', 'x5e', '0x5E'])(
    'reads LEEF 2.0 attributes split by the delimiter %s',
    (delimiter) => {
      const alert = normalizeOk(`LEEF:2.0|Lancope|StealthWatch|1.0|41|${delimiter}|${LANCOPE}`);
      expect(entityValues(alert, 'ip')).toEqual(['source:10.0.1.8', 'destination:10.0.0.5']);
      expect(alert.severity).toBe(50);
      expect(alert.observedAt).toBe(1508318763060);
    },
  );

  it('reads a hex delimiter that is the pipe itself', () => {
    const alert = normalizeOk(
      'LEEF:2.0|Vendor|Product|Version|EventID|x7C|src=10.0.1.8|devTime=1508318763',
    );
    expect(entityValues(alert, 'ip')).toEqual(['source:10.0.1.8']);
    expect(alert.observedAt).toBe(1508318763000);
  });

  it('treats an empty LEEF 2.0 delimiter field as a tab', () => {
    const alert = normalizeOk(
      'LEEF:2.0|Vendor|Product|Version|EventID||src=10.0.1.8\tdevTime=1508318763060',
    );
    expect(entityValues(alert, 'ip')).toEqual(['source:10.0.1.8']);
  });

  it('reads a LEEF 1.0 payload whose tabs became spaces with the CEF grammar', () => {
    const alert = normalizeOk(
      "LEEF:1.0|ABC Company|SystemDefender|1.13|console_login|devTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSSZ devTime=2017-10-18T11:26:03.060+0200 usrName=flastname name=Firstname Lastname authType=interactivePassword src=192.168.0.1",
    );
    expect(alert.observedAt).toBe(Date.UTC(2017, 9, 18, 9, 26, 3, 60));
    expect(entityValues(alert, 'user')).toEqual(['flastname']);
  });

  it.each([
    ['MMM dd yyyy HH:mm:ss', 'Jun 06 2015 16:07:36', Date.UTC(2015, 5, 6, 16, 7, 36)],
    ['MMM dd yyyy HH:mm:ss.SSS', 'Jun 06 2015 16:07:36.300', Date.UTC(2015, 5, 6, 16, 7, 36, 300)],
    [
      'MMM dd yyyy HH:mm:ss.SSS z',
      'Jun 06 2015 02:07:36.300 GMT',
      Date.UTC(2015, 5, 6, 2, 7, 36, 300),
    ],
    ['dd/MM/yy hh:mm:ss a', '18/10/17 01:26:03 PM', Date.UTC(2017, 9, 18, 13, 26, 3)],
    [
      'EEE, d MMM yyyy HH:mm:ss Z',
      'Wed, 4 Jul 2001 12:08:56 -0700',
      Date.UTC(2001, 6, 4, 19, 8, 56),
    ],
  ])('reads devTime with devTimeFormat %s', (pattern, value, expected) => {
    const alert = normalizeOk(
      `LEEF:1.0|V|P|1|E|devTimeFormat=${pattern}\tdevTime=${value}\tsrc=10.0.0.1`,
    );
    expect(alert.observedAt).toBe(expected);
  });

  it('reads a 10- or 13-digit devTime without a format as epoch seconds or milliseconds', () => {
    expect(normalizeOk('LEEF:1.0|V|P|1|E|devTime=1508318763\tsrc=10.0.0.1').observedAt).toBe(
      1508318763000,
    );
    expect(normalizeOk('LEEF:1.0|V|P|1|E|devTime=1508318763060\tsrc=10.0.0.1').observedAt).toBe(
      1508318763060,
    );
  });

  it('falls back to the syslog header time when there is no devTime', () => {
    const alert = normalizeOk(
      '<13>1 2019-01-18T11:07:53.520Z 192.168.1.1 LEEF:1.0|Microsoft|MSExchange|4.0 SP1|15345|src=10.50.1.1',
    );
    expect(alert.observedAt).toBe(Date.UTC(2019, 0, 18, 11, 7, 53, 520));
  });

  it('keeps backslashes as written: LEEF has no escapes', () => {
    const alert = normalizeOk(
      'LEEF:1.0|V|P|1|E|devTime=1508318763\tmsg=C:\\new\\table.txt was dropped',
    );
    expect(alert.description).toBe('C:\\new\\table.txt was dropped');
  });

  it('maps sev 1-10 to 10-100 and keeps the number as the label', () => {
    const alert = normalizeOk('LEEF:1.0|V|P|1|E|devTime=1508318763\tsev=8\tcat=anomaly');
    expect([alert.severity, alert.severityLabel, alert.category]).toEqual([80, '8', 'anomaly']);
  });

  it('takes the arrival time, flagged, when there is no devTime and no syslog header time', () => {
    const alert = normalizeOk(
      'LEEF:2.0|Lancope|StealthWatch|1.0|41|^|src=10.0.1.8^dst=10.0.0.5^sev=5',
    );
    expect([alert.observedAt, alert.observedAtFromArrival]).toEqual([INGESTED_AT, true]);
  });

  it('rejects sev outside 1-10, an unreadable devTime and an unreadable delimiter', () => {
    expect(normalizeRejected('LEEF:1.0|V|P|1|E|devTime=1508318763\tsev=11').field).toBe('sev');
    expect(
      normalizeRejected('LEEF:1.0|V|P|1|E|devTimeFormat=MMM dd yyyy\tdevTime=someday').field,
    ).toBe('devTime');
    expect(normalizeRejected('LEEF:2.0|V|P|1|E|xZZ|devTime=1508318763').field).toBe('header');
  });
});
