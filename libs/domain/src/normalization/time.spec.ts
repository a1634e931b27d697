import {
  epochToMs,
  parseDeviceTime,
  parseIso,
  parseTimeValue,
  parseWithPattern,
  parseZone,
} from './time';

const INGESTED = Date.UTC(2026, 0, 15);

describe('time parsing', () => {
  it.each([
    ['2017-04-07T22:24:37.251547+0100', Date.UTC(2017, 3, 7, 21, 24, 37, 251)],
    ['2018-07-05T15:07:20.910626-0400', Date.UTC(2018, 6, 5, 19, 7, 20, 910)],
    ['2021-04-27T12:19:27.7211305Z', Date.UTC(2021, 3, 27, 12, 19, 27, 721)],
    ['2020-08-24T12:10:17.000-07:00', Date.UTC(2020, 7, 24, 19, 10, 17)],
    ['2009-11-24T21:27:09.534255', Date.UTC(2009, 10, 24, 21, 27, 9, 534)],
    ['2024-05-01 10:00:00Z', Date.UTC(2024, 4, 1, 10, 0, 0)],
    ['2024-05-01T10:00Z', Date.UTC(2024, 4, 1, 10, 0, 0)],
    ['2016-12-31T23:59:60Z', Date.UTC(2016, 11, 31, 23, 59, 59)],
  ])('reads ISO 8601 %s (a zone-less time is UTC)', (text, expected) => {
    expect(parseIso(text)).toBe(expected);
  });

  it.each([
    '2024-05-01',
    '2024-02-30T10:00:00Z',
    '2024-05-01T25:00:00Z',
    '2024-05-01T10:00:00+25:00',
    '2024-05-01T10:00:00 garbage',
    'Tue May 1',
  ])('refuses %s', (text) => {
    expect(parseIso(text)).toBeUndefined();
  });

  it('reads the epoch unit from the magnitude', () => {
    expect(epochToMs(1_426_279_439)).toBe(1_426_279_439_000);
    expect(epochToMs(1_426_279_439.5)).toBe(1_426_279_439_500);
    expect(epochToMs(1_426_279_439_123)).toBe(1_426_279_439_123);
    expect(epochToMs(1_722_327_712_967_320)).toBe(1_722_327_712_967);
    expect(epochToMs(1_722_327_712_967_320_000)).toBe(1_722_327_712_967);
    expect(epochToMs(0)).toBeUndefined();
    expect(epochToMs(-5)).toBeUndefined();
  });

  it('reads numeric strings as epochs and other strings as ISO', () => {
    expect(parseTimeValue('1564419060.000000000')).toBe(1_564_419_060_000);
    expect(parseTimeValue(' 1717493410 ')).toBe(1_717_493_410_000);
    expect(parseTimeValue('2024-05-01T10:00:00Z')).toBe(Date.UTC(2024, 4, 1, 10));
    expect(parseTimeValue('1.2.3')).toBeUndefined();
    expect(parseTimeValue(true)).toBeUndefined();
  });

  it.each([
    ['Z', 0],
    ['UTC', 0],
    ['GMT+08:00', 480],
    ['GMT-04:00', -240],
    ['+0200', 120],
    ['-04', -240],
    ['UTC-4', -240],
    ['PDT', -420],
  ])('reads the zone %s', (zone, minutes) => {
    expect(parseZone(zone)).toBe(minutes);
  });

  it('refuses ambiguous or malformed zones', () => {
    expect(parseZone('IST')).toBeUndefined();
    expect(parseZone('+2500')).toBeUndefined();
    expect(parseZone('America/Argentina/Buenos_Aires')).toBeUndefined();
  });

  it('infers the year of a year-less device time from ingestedAt', () => {
    expect(parseDeviceTime('Jan 10 09:00:00', INGESTED)).toBe(Date.UTC(2026, 0, 10, 9));
    expect(parseDeviceTime('Nov 30 09:00:00', INGESTED)).toBe(Date.UTC(2025, 10, 30, 9));
    // No Feb 29 in 2025: the latest one before ingestedAt is 2024's.
    expect(parseDeviceTime('Feb 29 09:00:00', Date.UTC(2025, 0, 15))).toBe(
      Date.UTC(2024, 1, 29, 9),
    );
  });

  it('reads Java SimpleDateFormat patterns, with 2-digit years in this century', () => {
    expect(parseWithPattern('17-10-18 11:26', 'yy-MM-dd HH:mm', INGESTED)).toBe(
      Date.UTC(2017, 9, 18, 11, 26),
    );
    expect(parseWithPattern("2017-10-18'T'x", "yyyy-MM-dd'T'x", INGESTED)).toBeUndefined();
    expect(parseWithPattern('12 AM', 'hh a', INGESTED)).toBe(Date.UTC(2026, 0, 1, 0));
  });

  it('refuses a pattern with letters it does not know rather than guessing', () => {
    expect(parseWithPattern('2017 W42', 'yyyy Www', INGESTED)).toBeUndefined();
  });
});
