import type { EpochMs } from '@soc/contracts';
import { digits, inferYear, monthNumber, parseZone, readFraction, utc } from './time-fields';

export { inferYear, monthNumber, parseZone, utc } from './time-fields';
export { parseWithPattern } from './time-pattern';

/**
 * Timestamp parsing for every format, without `Date.parse` (whose handling of zone-less and
 * non-ISO strings depends on the host) and without regular expressions (no backtracking on
 * hostile input). Every parser returns `undefined` rather than throwing.
 *
 * Decisions:
 * - A timestamp without a zone is UTC (Suricata without an offset, LEEF patterns without `z`).
 * - An epoch number's unit is read from its magnitude: below 1e11 seconds, below 1e14
 *   milliseconds, below 1e17 microseconds, else nanoseconds. 1e11 s would be the year 5138 and
 *   1e11 ms is 1973, so the bands cannot be confused for any plausible alert time.
 * - Year-less timestamps (RFC 3164 syslog `MMM dd HH:mm:ss`, CEF `rt` without a year) take the
 *   year of `ingestedAt`; if that puts the event more than 7 days after `ingestedAt`, the
 *   previous year (a December record read in January). This is an explicit inference from an
 *   input of the normalizer, not a fallback to the arrival time.
 * - Accepted alert times lie in [1980-01-01, 2100-01-01); anything else is a unit mistake.
 */
export const MIN_ALERT_TIME: EpochMs = 315_532_800_000;
export const MAX_ALERT_TIME: EpochMs = 4_102_444_800_000;

export const isPlausibleTime = (ms: number): boolean => ms >= MIN_ALERT_TIME && ms < MAX_ALERT_TIME;

/** Epoch number of unknown unit to milliseconds (see the magnitude bands above). */
export function epochToMs(value: number): EpochMs | undefined {
  if (!Number.isFinite(value) || value <= 0) return undefined;
  let ms: number;
  if (value < 1e11) ms = value * 1000;
  else if (value < 1e14) ms = value;
  else if (value < 1e17) ms = value / 1e3;
  else ms = value / 1e6;
  return Math.floor(ms);
}

/**
 * Any time value a JSON record may carry: an epoch number, a numeric string (`"1717493410"`,
 * `"1564419060.000000000"`), or an ISO 8601 / RFC 3339 string.
 */
export function parseTimeValue(value: unknown): EpochMs | undefined {
  if (typeof value === 'number') return epochToMs(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > 64) return undefined;
  if (isNumeric(trimmed)) return epochToMs(Number(trimmed));
  return parseIso(trimmed);
}

function isNumeric(value: string): boolean {
  let dots = 0;
  for (let i = 0; i < value.length; i += 1) {
    const c = value.charCodeAt(i);
    if (c === 46) dots += 1;
    else if (c < 48 || c > 57) return false;
  }
  return dots <= 1 && value.charCodeAt(0) !== 46;
}

/**
 * ISO 8601 date-time: `YYYY-MM-DD[T| ]HH:mm[:ss[.fraction]][Z|±HH[:]mm|±HH]`. A date alone is
 * not an event time and is refused.
 */
export function parseIso(value: string): EpochMs | undefined {
  const s = value;
  if (s.length < 16) return undefined;
  const year = digits(s, 0, 4);
  if (year === undefined || s[4] !== '-') return undefined;
  const month = digits(s, 5, 2);
  if (month === undefined || s[7] !== '-') return undefined;
  const day = digits(s, 8, 2);
  if (day === undefined) return undefined;
  const sep = s[10];
  if (sep !== 'T' && sep !== 't' && sep !== ' ') return undefined;
  const hour = digits(s, 11, 2);
  if (hour === undefined || s[13] !== ':') return undefined;
  const minute = digits(s, 14, 2);
  if (minute === undefined) return undefined;
  let i = 16;
  let second = 0;
  let millis = 0;
  if (s[i] === ':') {
    const sec = digits(s, i + 1, 2);
    if (sec === undefined) return undefined;
    second = sec;
    i += 3;
    if (s[i] === '.' || s[i] === ',') {
      const fraction = readFraction(s, i + 1);
      if (fraction === undefined) return undefined;
      millis = fraction.millis;
      i = fraction.end;
    }
  }
  let offsetMinutes = 0;
  if (i < s.length) {
    const zone = parseZone(s.slice(i));
    if (zone === undefined) return undefined;
    offsetMinutes = zone;
  }
  return utc(year, month, day, hour, minute, second, millis, offsetMinutes);
}

/** `HH:mm:ss[.SSS]` to its parts. */
function parseClock(token: string):
  | {
      readonly hour: number;
      readonly minute: number;
      readonly second: number;
      readonly millis: number;
    }
  | undefined {
  const firstColon = token.indexOf(':');
  if (firstColon < 1 || firstColon > 2 || token[firstColon + 3] !== ':') return undefined;
  const hour = digits(token, 0, firstColon);
  const minute = digits(token, firstColon + 1, 2);
  const second = digits(token, firstColon + 4, 2);
  if (hour === undefined || minute === undefined || second === undefined) return undefined;
  let millis = 0;
  const end = firstColon + 6;
  if (end < token.length) {
    if (token[end] !== '.') return undefined;
    const fraction = readFraction(token, end + 1);
    if (fraction === undefined || fraction.end !== token.length) return undefined;
    millis = fraction.millis;
  }
  return { hour, minute, second, millis };
}

/**
 * The ArcSight human formats (CEF `rt`, `start`, `end`, syslog prefixes):
 * `MMM dd [yyyy] HH:mm:ss[.SSS] [zone]`, also with `Mon dd, yyyy` (a comma after the day).
 * Returns the time and the number of tokens consumed, so a syslog prefix can go on to the host.
 */
export function parseHumanTime(
  tokens: readonly string[],
  ingestedAt: EpochMs,
): { readonly ms: EpochMs; readonly used: number } | undefined {
  const monthToken = tokens[0];
  const dayToken = tokens[1];
  if (monthToken === undefined || dayToken === undefined) return undefined;
  const month = monthNumber(monthToken);
  if (month === undefined || monthToken.length > 9) return undefined;
  const dayText = dayToken.endsWith(',') ? dayToken.slice(0, -1) : dayToken;
  if (dayText.length === 0 || dayText.length > 2) return undefined;
  const day = digits(dayText, 0, dayText.length);
  if (day === undefined) return undefined;
  let index = 2;
  let year: number | undefined;
  const maybeYear = tokens[index];
  if (maybeYear !== undefined && maybeYear.length === 4) {
    year = digits(maybeYear, 0, 4);
    if (year !== undefined) index += 1;
  }
  const clockToken = tokens[index];
  if (clockToken === undefined) return undefined;
  const clock = parseClock(clockToken);
  if (clock === undefined) return undefined;
  index += 1;
  let offset = 0;
  const zoneToken = tokens[index];
  if (zoneToken !== undefined) {
    const zone = parseZone(zoneToken);
    if (zone !== undefined) {
      offset = zone;
      index += 1;
    }
  }
  const ms =
    year === undefined
      ? inferYear(
          month,
          day,
          clock.hour,
          clock.minute,
          clock.second,
          clock.millis,
          offset,
          ingestedAt,
        )
      : utc(year, month, day, clock.hour, clock.minute, clock.second, clock.millis, offset);
  return ms === undefined ? undefined : { ms, used: index };
}

/** Splits on runs of spaces (syslog pads single-digit days with two spaces). */
export function spaceTokens(value: string, limit: number): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i <= value.length && out.length < limit; i += 1) {
    const c = i < value.length ? value.charCodeAt(i) : 32;
    const blank = c === 32 || c === 9;
    if (blank) {
      if (start >= 0) {
        out.push(value.slice(start, i));
        start = -1;
      }
    } else if (start < 0) {
      start = i;
    }
  }
  return out;
}

/**
 * A CEF/LEEF time field: an epoch number (CEF `rt` is milliseconds), ISO 8601, or the ArcSight
 * human format with an optional zone.
 */
export function parseDeviceTime(value: string, ingestedAt: EpochMs): EpochMs | undefined {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > 64) return undefined;
  if (isNumeric(trimmed)) return epochToMs(Number(trimmed));
  const iso = parseIso(trimmed);
  if (iso !== undefined) return iso;
  const tokens = spaceTokens(trimmed, 6);
  const human = parseHumanTime(tokens, ingestedAt);
  return human !== undefined && human.used === tokens.length ? human.ms : undefined;
}
