import type { EpochMs } from '@soc/contracts';

/** Calendar fields, zones and digit runs: the building blocks of every time parser here. */

/** An event this far after `ingestedAt` is read as last year's (see time.ts). */
const FUTURE_TOLERANCE_MS = 7 * 24 * 3_600_000;

export function digits(s: string, start: number, count: number): number | undefined {
  if (start + count > s.length) return undefined;
  let n = 0;
  for (let i = start; i < start + count; i += 1) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return undefined;
    n = n * 10 + c;
  }
  return n;
}

/** Up to 9 fraction digits; more are refused. Truncated to milliseconds. */
export function readFraction(
  s: string,
  start: number,
): { readonly millis: number; readonly end: number } | undefined {
  let end = start;
  let value = 0;
  let scale = 1;
  while (end < s.length) {
    const c = s.charCodeAt(end) - 48;
    if (c < 0 || c > 9) break;
    if (end - start < 3) {
      value = value * 10 + c;
      scale *= 10;
    }
    end += 1;
    if (end - start > 9) return undefined;
  }
  if (end === start) return undefined;
  return { millis: Math.floor((value * 1000) / scale), end };
}

const ZONE_ABBREVIATIONS: ReadonlyMap<string, number> = new Map([
  ['Z', 0],
  ['UTC', 0],
  ['UT', 0],
  ['GMT', 0],
  ['EST', -300],
  ['EDT', -240],
  ['CST', -360],
  ['CDT', -300],
  ['MST', -420],
  ['MDT', -360],
  ['PST', -480],
  ['PDT', -420],
  ['CET', 60],
  ['CEST', 120],
  ['EET', 120],
  ['EEST', 180],
  ['JST', 540],
]);

/**
 * A zone designator to its offset in minutes: `Z`, `+02:00`, `-0400`, `+05`, `UTC`, `GMT`,
 * `GMT+08:00`, `UTC-4`, or one of a few unambiguous abbreviations. Ambiguous abbreviations
 * (IST, BST) are refused rather than guessed.
 */
export function parseZone(raw: string): number | undefined {
  const zone = raw.trim();
  if (zone.length === 0) return undefined;
  const upper = zone.toUpperCase();
  const known = ZONE_ABBREVIATIONS.get(upper);
  if (known !== undefined) return known;
  let rest = zone;
  if (upper.startsWith('GMT') || upper.startsWith('UTC')) rest = zone.slice(3);
  const sign = rest[0];
  if (sign !== '+' && sign !== '-') return undefined;
  const body = rest.slice(1);
  let hours: number | undefined;
  let minutes = 0;
  if (body.length === 1 || body.length === 2) {
    hours = digits(body, 0, body.length);
  } else if (body.length === 4) {
    hours = digits(body, 0, 2);
    minutes = digits(body, 2, 2) ?? -1;
  } else if (body.length === 5 && body[2] === ':') {
    hours = digits(body, 0, 2);
    minutes = digits(body, 3, 2) ?? -1;
  } else if (body.length === 4 && body[1] === ':') {
    hours = digits(body, 0, 1);
    minutes = digits(body, 2, 2) ?? -1;
  }
  if (hours === undefined || hours > 14 || minutes < 0 || minutes > 59) return undefined;
  const offset = hours * 60 + minutes;
  return sign === '-' ? -offset : offset;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Validated calendar fields (local time at `offsetMinutes`) to epoch ms. */
export function utc(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millis: number,
  offsetMinutes: number,
): EpochMs | undefined {
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1) return undefined;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const maxDay = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number);
  if (day > maxDay || hour > 23 || minute > 59 || second > 60 || millis > 999) return undefined;
  // A leap second is read as the last millisecond-precise second of the minute.
  const sec = second === 60 ? 59 : second;
  return Date.UTC(year, month - 1, day, hour, minute, sec, millis) - offsetMinutes * 60_000;
}

const MONTHS: ReadonlyMap<string, number> = new Map([
  ['jan', 1],
  ['feb', 2],
  ['mar', 3],
  ['apr', 4],
  ['may', 5],
  ['jun', 6],
  ['jul', 7],
  ['aug', 8],
  ['sep', 9],
  ['oct', 10],
  ['nov', 11],
  ['dec', 12],
]);

/** `Jan`, `january`, `SEPT` to 1..12. */
export function monthNumber(name: string): number | undefined {
  if (name.length < 3) return undefined;
  return MONTHS.get(name.slice(0, 3).toLowerCase());
}

/** The year that puts a year-less local time closest before `ingestedAt` (see header). */
export function inferYear(
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millis: number,
  offsetMinutes: number,
  ingestedAt: EpochMs,
): EpochMs | undefined {
  const year = new Date(ingestedAt).getUTCFullYear();
  const sameYear = utc(year, month, day, hour, minute, second, millis, offsetMinutes);
  if (sameYear !== undefined && sameYear <= ingestedAt + FUTURE_TOLERANCE_MS) return sameYear;
  return utc(year - 1, month, day, hour, minute, second, millis, offsetMinutes);
}
