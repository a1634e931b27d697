import type { EpochMs } from '@soc/contracts';
import { digits, inferYear, monthNumber, parseZone, readFraction, utc } from './time-fields';

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
    const token = letterToken(c, run);
    if (token === null) return null;
    tokens.push(token);
    i += run;
  }
  return tokens;
}

/** The token of a run of one pattern letter; null for a letter outside the subset. */
function letterToken(c: string, run: number): PatternToken | null {
  switch (c) {
    case 'y':
      return { kind: 'year', width: run };
    case 'M':
    case 'L':
      return run >= 3 ? { kind: 'monthName' } : { kind: 'month', width: run };
    case 'd':
      return { kind: 'day', width: run };
    case 'H':
    case 'k':
      return { kind: 'hour', width: run };
    case 'h':
    case 'K':
      return { kind: 'hour12', width: run };
    case 'm':
      return { kind: 'minute', width: run };
    case 's':
      return { kind: 'second', width: run };
    case 'S':
      return { kind: 'fraction' };
    case 'a':
      return { kind: 'ampm' };
    case 'E':
      return { kind: 'dayName' };
    case 'z':
    case 'Z':
    case 'X':
      return { kind: 'zone' };
    default:
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return null;
      return { kind: 'literal', text: c.repeat(run) };
  }
}

/** The calendar fields read so far. */
interface Fields {
  year: number | undefined;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
  pm: boolean | undefined;
  hour12: boolean;
  offset: number;
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
  const f: Fields = {
    year: undefined,
    month: 1,
    day: 1,
    hour: 0,
    minute: 0,
    second: 0,
    millis: 0,
    pm: undefined,
    hour12: false,
    offset: 0,
  };
  let pos = 0;
  for (const token of tokens) {
    const next = readToken(s, pos, token, f);
    if (next === undefined) return undefined;
    pos = next;
  }
  if (pos !== s.length) return undefined;
  if (f.hour12) {
    if (f.hour < 1 || f.hour > 12) return undefined;
    f.hour = f.hour % 12;
    if (f.pm === true) f.hour += 12;
  }
  if (f.year === undefined)
    return inferYear(f.month, f.day, f.hour, f.minute, f.second, f.millis, f.offset, ingestedAt);
  return utc(f.year, f.month, f.day, f.hour, f.minute, f.second, f.millis, f.offset);
}

/** Reads one token at `pos` into `f`; returns the position after it, or undefined. */
function readToken(s: string, pos: number, token: PatternToken, f: Fields): number | undefined {
  switch (token.kind) {
    case 'literal':
      if (!s.startsWith(token.text, pos)) return undefined;
      return pos + token.text.length;
    case 'monthName':
    case 'dayName':
    case 'ampm':
      return readWord(s, pos, token.kind, f);
    case 'fraction': {
      const fraction = readFraction(s, pos);
      if (fraction === undefined) return undefined;
      f.millis = fraction.millis;
      return fraction.end;
    }
    case 'zone': {
      let end = pos;
      while (end < s.length && s.charCodeAt(end) !== 32) end += 1;
      const zone = parseZone(s.slice(pos, end));
      if (zone === undefined) return undefined;
      f.offset = zone;
      return end;
    }
    default:
      return readNumber(s, pos, token, f);
  }
}

function readWord(
  s: string,
  pos: number,
  kind: 'monthName' | 'dayName' | 'ampm',
  f: Fields,
): number | undefined {
  let end = pos;
  while (end < s.length && isLetter(s.charCodeAt(end))) end += 1;
  const word = s.slice(pos, end);
  if (word.length === 0) return undefined;
  if (kind === 'monthName') {
    const found = monthNumber(word);
    if (found === undefined) return undefined;
    f.month = found;
  } else if (kind === 'ampm') {
    const upper = word.toUpperCase();
    if (upper !== 'AM' && upper !== 'PM') return undefined;
    f.pm = upper === 'PM';
  }
  return end;
}

function readNumber(
  s: string,
  pos: number,
  token: Extract<PatternToken, { readonly width: number }>,
  f: Fields,
): number | undefined {
  const max = token.kind === 'year' ? 4 : 2;
  let end = pos;
  while (end < s.length && end - pos < max && isDigit(s.charCodeAt(end))) end += 1;
  const width = end - pos;
  if (width === 0) return undefined;
  const n = digits(s, pos, width) as number;
  if (token.kind === 'year') f.year = width === 2 ? 2000 + n : n;
  else if (token.kind === 'month') f.month = n;
  else if (token.kind === 'day') f.day = n;
  else if (token.kind === 'hour') f.hour = n;
  else if (token.kind === 'hour12') {
    f.hour = n;
    f.hour12 = true;
  } else if (token.kind === 'minute') f.minute = n;
  else f.second = n;
  return end;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
