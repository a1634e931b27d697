import { ALERT_FORMATS, isObject, type AlertFormat, type JsonObject } from '@soc/contracts';
import { normalizeAminer } from './aminer';
import { normalizeCanonical } from './canonical';
import { normalizeCef } from './cef';
import { detectObjectFormat, detectTextFormat } from './detect';
import { normalizeElastic } from './elastic';
import { normalizeLeef } from './leef';
import { ALERT_LIMITS, limitAlert, utf8Length } from './limits';
import { normalizeMsGraph } from './ms-graph';
import { normalizeOcsf } from './ocsf';
import { normalizeSimpleJson } from './simple-json';
import { normalizeSplunk } from './splunk';
import { normalizeSuricata } from './suricata';
import { reject, type NormalizeContext, type NormalizeResult } from './types';
import { jsonText, parseJson } from './values';
import { normalizeWazuh } from './wazuh';

/**
 * The one normalization path every door uses (HTTP bodies, syslog lines, raw topics, the CLI).
 *
 * `record` is either a text line as received (CEF, LEEF, syslog-wrapped CEF/LEEF, or JSON
 * text), bytes of such a line, or an already-parsed JSON object (an HTTP JSON body item).
 * `context.format` names the format when the door knows it; otherwise it is detected (see
 * detect.ts for the precedence rules).
 *
 * Pure and total: no I/O, no clock, no randomness, and it never throws on any input. A record
 * that cannot become a canonical alert yields a rejection naming the field and the reason.
 * An exception escaping a format module is a bug in this code; it is still returned as a
 * rejection (reason `normalizer bug: ...`) so the record reaches the dead-letter topic with
 * its reason instead of crashing the consumer, and the fuzz tests assert it never happens.
 *
 * Event time: read from the record itself. Formats whose records always carry a time
 * (Suricata, Wazuh, Elastic, Graph, OCSF, AMiner) reject its absence as a malformed record;
 * CEF and LEEF may take it from the syslog header in front of them, and a year-less header
 * takes its year from `ingestedAt` (time.ts). Formats whose records may carry none (a Splunk
 * webhook row without `_time`, CEF without `rt`, LEEF without `devTime`) take `ingestedAt`
 * and flag the alert `observedAtFromArrival` (arrival-time.ts). A time that is present but
 * unreadable is always rejected, naming the time field.
 *
 * `original` is the record as received: the text line itself, or the JSON text of a parsed
 * object (`JSON.stringify`, so the same object always gives the same text and content id).
 *
 * Sizes: a record over `ALERT_LIMITS.recordBytes` (UTF-8) is rejected; every alert leaves
 * through `limitAlert` (limits.ts), whatever its format, so no field exceeds its cap, the caps
 * that applied are listed in `truncated`, and no text holds a character PostgreSQL refuses.
 */
export function normalizeRecord(record: unknown, context: NormalizeContext): NormalizeResult {
  return guarded(context, () => normalizeUnguarded(record, context));
}

/**
 * normalizeRecord(line) for a JSON line its caller has parsed already (`soc correlate` parses
 * each line once to tell a canonical alert from a raw record): the same result for every line
 * and context, without parsing the line again.
 */
export function normalizeParsedLine({
  line,
  parsed,
  context,
}: {
  readonly line: string;
  /** JSON.parse of the line. */
  readonly parsed: unknown;
  readonly context: NormalizeContext;
}): NormalizeResult {
  return guarded(context, () => normalizeUnguarded(line, context, { value: parsed }));
}

/** Every accepted alert within the limits; a normalizer that throws is a rejection, not a crash. */
function guarded(context: NormalizeContext, normalize: () => NormalizeResult): NormalizeResult {
  try {
    const result = normalize();
    return result.ok ? { ok: true, alert: limitAlert(result.alert) } : result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return reject(context.format ?? 'unknown', '(record)', `normalizer bug: ${message}`);
  }
}

/** Records larger than this many UTF-8 bytes are refused whole. */
export const MAX_RECORD_BYTES = ALERT_LIMITS.recordBytes;

const tooLarge = (text: string): boolean =>
  text.length > MAX_RECORD_BYTES ||
  (text.length * 3 > MAX_RECORD_BYTES && utf8Length(text) > MAX_RECORD_BYTES);
const TOO_LARGE = `larger than ${MAX_RECORD_BYTES} bytes`;

const FORMATS: ReadonlySet<string> = new Set(ALERT_FORMATS);
const TEXT_FORMATS: ReadonlySet<AlertFormat> = new Set(['cef', 'leef']);

/** What is wrong with the caller's context, or null. */
function contextRejection(context: NormalizeContext): NormalizeResult | null {
  const named = context.format;
  const label = named ?? 'unknown';
  if (named !== undefined && !FORMATS.has(named))
    return reject('unknown', 'context.format', `unknown format '${String(named)}'`);
  if (typeof context.tenantId !== 'string' || context.tenantId.trim().length === 0) {
    return reject(label, 'context.tenantId', 'the caller must name the tenant');
  }
  if (
    typeof context.ingestedAt !== 'number' ||
    !Number.isFinite(context.ingestedAt) ||
    context.ingestedAt < 0
  ) {
    return reject(
      label,
      'context.ingestedAt',
      'the caller must give the arrival time in epoch milliseconds',
    );
  }

  return null;
}

function normalizeUnguarded(
  record: unknown,
  context: NormalizeContext,
  parsedLine?: { readonly value: unknown },
): NormalizeResult {
  const named = context.format;
  const label = named ?? 'unknown';
  const invalid = contextRejection(context);
  if (invalid !== null) return invalid;

  if (record instanceof Uint8Array && record.byteLength > MAX_RECORD_BYTES)
    return reject(label, '(record)', TOO_LARGE);
  let line: string | undefined;
  if (typeof record === 'string') line = record;
  else if (record instanceof Uint8Array) line = UTF8.decode(record);

  if (line !== undefined) {
    if (tooLarge(line)) return reject(label, '(record)', TOO_LARGE);
    const kind = detectTextFormat(line);
    if (kind === 'json' && (named === undefined || !TEXT_FORMATS.has(named))) {
      const parsed = parsedLine ?? parseJson(withoutBom(line));
      if ('error' in parsed) return reject(label, '(record)', `invalid JSON: ${parsed.error}`);
      if (!isObject(parsed.value)) return reject(label, '(record)', 'expected a JSON object');
      return normalizeObject(parsed.value, line, context);
    }
    const format = named ?? (kind === 'json' ? undefined : kind);
    if (format === undefined)
      return reject(
        'unknown',
        '(record)',
        'unrecognized format: not JSON, no CEF: or LEEF: header',
      );
    if (format === 'cef') return normalizeCef(line, context);
    if (format === 'leef') return normalizeLeef(line, context);
    return reject(format, '(record)', `a ${format} record is a JSON object, this line is not JSON`);
  }

  if (!isObject(record)) return reject(label, '(record)', 'expected a text line or a JSON object');
  if (named !== undefined && TEXT_FORMATS.has(named))
    return reject(named, '(record)', `${named} records are text lines, not JSON objects`);
  const original = jsonText(record);
  if (original === undefined)
    return reject(label, '(record)', 'the object cannot be written as JSON');
  if (tooLarge(original)) return reject(label, '(record)', TOO_LARGE);
  return normalizeObject(record, original, context);
}

const UTF8 = new TextDecoder('utf-8');

const withoutBom = (line: string): string => (line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);

function normalizeObject(
  record: JsonObject,
  original: string,
  context: NormalizeContext,
): NormalizeResult {
  const format = context.format ?? detectObjectFormat(record);
  switch (format) {
    case undefined:
      return reject(
        'unknown',
        '(record)',
        'unrecognized format: no known alert shape (name the format to get field-level reasons)',
      );
    case 'canonical':
      return normalizeCanonical(record, context);
    case 'simple-json':
      return normalizeSimpleJson(record, original, context);
    case 'elastic':
      return normalizeElastic(record, original, context);
    case 'ocsf':
      return normalizeOcsf(record, original, context);
    case 'suricata':
      return normalizeSuricata(record, original, context);
    case 'wazuh':
      return normalizeWazuh(record, original, context);
    case 'splunk':
      return normalizeSplunk(record, original, context);
    case 'ms-graph':
      return normalizeMsGraph(record, original, context);
    case 'aminer':
      return normalizeAminer(record, original, context);
    case 'cef':
    case 'leef':
      return reject(format, '(record)', `${format} records are text lines, not JSON objects`);
    default: {
      const unreachable: never = format;
      return unreachable;
    }
  }
}

/**
 * The format a record would be normalized as when the door names none, or undefined when no
 * format matches. Uses the same rules as `normalizeRecord` (see detect.ts).
 */
export function detectFormat(record: unknown): AlertFormat | undefined {
  let line: string | undefined;
  if (typeof record === 'string') line = record;
  else if (record instanceof Uint8Array) line = UTF8.decode(record);
  if (line !== undefined) {
    if (tooLarge(line)) return undefined;
    const kind = detectTextFormat(line);
    if (kind !== 'json') return kind;
    const parsed = parseJson(withoutBom(line));
    return 'value' in parsed && isObject(parsed.value)
      ? detectObjectFormat(parsed.value)
      : undefined;
  }
  return isObject(record) ? detectObjectFormat(record) : undefined;
}
