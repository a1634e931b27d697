/**
 * The CEF extension grammar (also used for LEEF 1.0 payloads whose tabs were turned into
 * spaces on the way): `key=value` pairs separated by spaces, where a value may itself contain
 * spaces and runs until the next ` key=`. `\=`, `\\`, `\n`, `\r` (and, leniently, `\|`) are
 * escapes inside values. An unescaped `=` that is not preceded by ` key` is kept as part of
 * the value rather than failing the record.
 *
 * One linear pass: for every unescaped `=`, walk back over key characters to the previous
 * space; each character is walked back over at most once per following `=`, and the walk stops
 * at the first non-key character (an `=` included), so hostile input cannot go quadratic.
 */
export function parseKeyValues(source: string, start = 0, unescape = true): Map<string, string> {
  const pairs = new Map<string, string>();
  let keyStart = -1;
  let keyEnd = -1;
  let valueStart = -1;
  let escaped = false;
  for (let i = start; i < source.length; i += 1) {
    const c = source.charCodeAt(i);
    if (escaped) {
      escaped = false;
      continue;
    }
    if (c === 92) {
      escaped = true;
      continue;
    }
    if (c !== 61) continue;
    let j = i - 1;
    while (j >= start && isKeyChar(source.charCodeAt(j))) j -= 1;
    const candidateStart = j + 1;
    if (candidateStart === i) continue;
    const atBoundary = j < start || source.charCodeAt(j) === 32;
    if (!atBoundary) continue;
    if (keyStart >= 0) {
      // The previous value ends at the space before this key.
      pairs.set(
        source.slice(keyStart, keyEnd),
        valueOf(source, valueStart, Math.max(valueStart, j), unescape),
      );
    }
    keyStart = candidateStart;
    keyEnd = i;
    valueStart = i + 1;
  }
  if (keyStart >= 0)
    pairs.set(source.slice(keyStart, keyEnd), valueOf(source, valueStart, source.length, unescape));
  return pairs;
}

/** Letters, digits and `_ . - [ ]` (vendor keys such as `ad.field[0]`). */
function isKeyChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 95 ||
    c === 46 ||
    c === 45 ||
    c === 91 ||
    c === 93
  );
}

const valueOf = (source: string, from: number, to: number, unescape: boolean): string =>
  unescape ? unescapeValue(source, from, to) : trimmedSlice(source, from, to);

/** A value slice with surrounding whitespace (incl. a trailing CR/LF) trimmed, no unescaping. */
export function trimmedSlice(source: string, from: number, to: number): string {
  let start = from;
  let end = to;
  while (start < end && isBlank(source.charCodeAt(start))) start += 1;
  while (end > start && isBlank(source.charCodeAt(end - 1))) end -= 1;
  return source.slice(start, end);
}

/** Unescapes a value slice and trims surrounding whitespace (incl. a trailing CR/LF). */
export function unescapeValue(source: string, from: number, to: number): string {
  const slice = trimmedSlice(source, from, to);
  if (slice.indexOf('\\') < 0) return slice;
  let out = '';
  for (let i = 0; i < slice.length; i += 1) {
    const ch = slice[i] as string;
    if (ch !== '\\' || i + 1 >= slice.length) {
      out += ch;
      continue;
    }
    const next = slice[i + 1] as string;
    i += 1;
    if (next === '=' || next === '\\' || next === '|') out += next;
    else if (next === 'n') out += '\n';
    else if (next === 'r') out += '\r';
    else out += `\\${next}`;
  }
  return out;
}

const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;
