import type { EpochMs } from '@soc/contracts';

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

const FUTURE_TOLERANCE_MS = 7 * 24 * 3_600_000;

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

function digits(s: string, start: number, count: number): number | undefined {
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
function readFraction(
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

// --- Java SimpleDateFormat subset, for LEEF devTimeFormat --------------------------------

type PatternToken =
  | {
      readonly kind: 'year' | 'month' | 'day' | 'hour' | 'hour12' | 'minute' | 'second';
      readonly width: number;
    }
  | { readonly kind: 'monthName' | 'dayName' | 'ampm' | 'fraction' | 'zone' }
  | { readonly kind: 'literal'; readonly text: string };

const compiled = new Map<string, readonly PatternToken[] | null>();
/** Bounds the memo so attacker-chosen patterns cannot grow it; eviction keeps it pure. */
const COMPILED_LIMIT = 128;

function compilePattern(pattern: string): readonly PatternToken[] | null {
  const cached = compiled.get(pattern);
  if (cached !== undefined) return cached;
  const tokens = compileUncached(pattern);
  if (compiled.size >= COMPILED_LIMIT) compiled.clear();
  compiled.set(pattern, tokens);
  return tokens;
}

function compileUncached(pattern: string): readonly PatternToken[] | null {
  if (pattern.length > 64) return null;
  const tokens: PatternToken[] = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === "'") {
      const close = pattern.indexOf("'", i + 1);
      if (close < 0) return null;
      tokens.push({ kind: 'literal', text: close === i + 1 ? "'" : pattern.slice(i + 1, close) });
      i = close + 1;
      continue;
    }
    let run = 1;
    while (pattern[i + run] === c) run += 1;
    switch (c) {
      case 'y':
        tokens.push({ kind: 'year', width: run });
        break;
      case 'M':
      case 'L':
        tokens.push(run >= 3 ? { kind: 'monthName' } : { kind: 'month', width: run });
        break;
      case 'd':
        tokens.push({ kind: 'day', width: run });
        break;
      case 'H':
      case 'k':
        tokens.push({ kind: 'hour', width: run });
        break;
      case 'h':
      case 'K':
        tokens.push({ kind: 'hour12', width: run });
        break;
      case 'm':
        tokens.push({ kind: 'minute', width: run });
        break;
      case 's':
        tokens.push({ kind: 'second', width: run });
        break;
      case 'S':
        tokens.push({ kind: 'fraction' });
        break;
      case 'a':
        tokens.push({ kind: 'ampm' });
        break;
      case 'E':
        tokens.push({ kind: 'dayName' });
        break;
      case 'z':
      case 'Z':
      case 'X':
        tokens.push({ kind: 'zone' });
        break;
      default:
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return null;
        tokens.push({ kind: 'literal', text: c.repeat(run) });
    }
    i += run;
  }
  return tokens;
}

/**
 * Parses `value` with a Java SimpleDateFormat `pattern` (the subset LEEF senders use: y M d H
 * h k K m s S a E z Z X and quoted literals). Numeric fields read greedily up to their natural
 * width; `S` is read as a decimal fraction of the second.
 */
export function parseWithPattern(
  value: string,
  pattern: string,
  ingestedAt: EpochMs,
): EpochMs | undefined {
  const tokens = compilePattern(pattern);
  if (tokens === null) return undefined;
  const s = value.trim();
  let pos = 0;
  let year: number | undefined;
  let month = 1;
  let day = 1;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let millis = 0;
  let pm: boolean | undefined;
  let hour12 = false;
  let offset = 0;
  for (const token of tokens) {
    switch (token.kind) {
      case 'literal':
        if (!s.startsWith(token.text, pos)) return undefined;
        pos += token.text.length;
        break;
      case 'monthName':
      case 'dayName':
      case 'ampm': {
        let end = pos;
        while (end < s.length && isLetter(s.charCodeAt(end))) end += 1;
        const word = s.slice(pos, end);
        if (word.length === 0) return undefined;
        if (token.kind === 'monthName') {
          const found = monthNumber(word);
          if (found === undefined) return undefined;
          month = found;
        } else if (token.kind === 'ampm') {
          const upper = word.toUpperCase();
          if (upper !== 'AM' && upper !== 'PM') return undefined;
          pm = upper === 'PM';
        }
        pos = end;
        break;
      }
      case 'fraction': {
        const fraction = readFraction(s, pos);
        if (fraction === undefined) return undefined;
        millis = fraction.millis;
        pos = fraction.end;
        break;
      }
      case 'zone': {
        let end = pos;
        while (end < s.length && s.charCodeAt(end) !== 32) end += 1;
        const zone = parseZone(s.slice(pos, end));
        if (zone === undefined) return undefined;
        offset = zone;
        pos = end;
        break;
      }
      default: {
        const max = token.kind === 'year' ? 4 : 2;
        let end = pos;
        while (end < s.length && end - pos < max && isDigit(s.charCodeAt(end))) end += 1;
        const width = end - pos;
        if (width === 0) return undefined;
        const n = digits(s, pos, width) as number;
        pos = end;
        if (token.kind === 'year') year = width === 2 ? 2000 + n : n;
        else if (token.kind === 'month') month = n;
        else if (token.kind === 'day') day = n;
        else if (token.kind === 'hour') hour = n;
        else if (token.kind === 'hour12') {
          hour = n;
          hour12 = true;
        } else if (token.kind === 'minute') minute = n;
        else second = n;
      }
    }
  }
  if (pos !== s.length) return undefined;
  if (hour12) {
    if (hour < 1 || hour > 12) return undefined;
    hour = hour % 12;
    if (pm === true) hour += 12;
  }
  if (year === undefined)
    return inferYear(month, day, hour, minute, second, millis, offset, ingestedAt);
  return utc(year, month, day, hour, minute, second, millis, offset);
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
