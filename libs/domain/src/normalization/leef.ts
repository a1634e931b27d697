import { buildAlert, boundedText } from './alert-builder';
import { arrivalTime, statedTime, type EventTime } from './arrival-time';
import { AttackRefs } from './attack';
import { findMarker, splitHeader } from './cef';
import { contentAlertId } from './content-hash';
import { EntityBag } from './entities';
import { parseKeyValues, trimmedSlice } from './key-value';
import { clampSeverity } from './severity';
import { syslogPrefixTime } from './syslog-prefix';
import { isPlausibleTime, parseDeviceTime, parseWithPattern } from './time';
import {
  isRejected,
  reject,
  type NormalizeContext,
  type NormalizeResult,
  type Rejected,
} from './types';

/**
 * IBM QRadar Log Event Extended Format:
 * `[syslog header] LEEF:1.0|Vendor|Product|Version|EventID|key=value<TAB>key=value...`
 * `[syslog header] LEEF:2.0|Vendor|Product|Version|EventID|DelimiterCharacter|key=value^...`
 *
 * - LEEF defines no escapes: values are taken as written (a Windows path keeps its `\n`).
 * - LEEF 2.0's delimiter is one character or its hex code (`^`, `x5E`, `0x5E`, 1-4 hex digits);
 *   empty means tab.
 * - A LEEF 1.0 payload without a single tab (tabs turned into spaces by a relay) is read with
 *   the CEF grammar: values run until the next ` key=`.
 * - observedAt: `devTime` with `devTimeFormat` (Java SimpleDateFormat subset). Without a
 *   format, or when the value does not match it, `devTime` is read as an epoch (the guide's
 *   10/13 digits), ISO 8601 or `MMM dd yyyy HH:mm:ss`. Then the syslog header's time. Else the
 *   arrival time, flagged `observedAtFromArrival` (arrival-time.ts).
 * - Severity: `sev` 1-10 (x10); absent is unknown (50).
 * - Title: `ruleName` when the sender gives one (a common custom key), else the EventID.
 */
export function normalizeLeef(line: string, context: NormalizeContext): NormalizeResult {
  const marker = findMarker(line, 'LEEF:');
  if (marker < 0) return reject('leef', 'header', 'no LEEF: header in the line');
  const header = leefHeader(line, marker);
  if (isRejected(header)) return header;
  const { vendor, product, eventId } = header;
  const attrs = leefAttributes({ line, header });
  if (isRejected(attrs)) return attrs;
  const time = leefTime({ line, marker, attrs, context });
  if (isRejected(time)) return time;
  const severity = leefSeverity(attrs);
  if (isRejected(severity)) return severity;
  const ruleName = nonEmpty(attrs.get('ruleName'));
  const event = nonEmpty(eventId);
  return {
    ok: true,
    alert: buildAlert(context, 'leef', line, {
      alertId: contentAlertId(line),
      ...time,
      product: nonEmpty(product) ?? null,
      vendor: nonEmpty(vendor) ?? null,
      ruleId: event ?? null,
      ruleName: ruleName ?? null,
      title: ruleName ?? event ?? 'LEEF event',
      description: boundedText(nonEmpty(attrs.get('msg'))) ?? null,
      severity: severity.value,
      severityLabel: severity.label,
      confidence: null,
      category: nonEmpty(attrs.get('cat')) ?? nonEmpty(attrs.get('ruleCategory')) ?? null,
      attack: new AttackRefs(),
      entities: leefEntities(attrs),
    }),
  };
}

interface LeefHeader {
  readonly vendor: string;
  readonly product: string;
  readonly eventId: string;
  /** LEEF 2.0's delimiter field as written; undefined in LEEF 1.0. */
  readonly delimiterField: string | undefined;
  readonly isV2: boolean;
  /** Where the attributes start. */
  readonly end: number;
}

function leefHeader(line: string, marker: number): LeefHeader | Rejected {
  const versionEnd = line.indexOf('|', marker);
  const version = versionEnd < 0 ? '' : line.slice(marker + 5, versionEnd).trim();
  const isV2 = version.startsWith('2');
  const header = splitHeader(line, marker + 5, isV2 ? 6 : 5);
  if (header === undefined) {
    return reject(
      'leef',
      'header',
      `a LEEF ${isV2 ? '2.0' : '1.0'} header needs ${isV2 ? 6 : 5} |-separated fields after LEEF:`,
    );
  }
  const [, vendor, product, , eventId, delimiterField] = header.fields as [
    string,
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  return { vendor, product, eventId, delimiterField, isV2, end: header.end };
}

function leefAttributes(options: {
  readonly line: string;
  readonly header: LeefHeader;
}): ReadonlyMap<string, string> | Rejected {
  const { line, header } = options;
  const { isV2, delimiterField } = header;
  let delimiter = '\t';
  if (isV2 && delimiterField !== undefined && delimiterField.length > 0) {
    const parsed = parseDelimiter(delimiterField);
    if (parsed === undefined)
      return reject(
        'leef',
        'header',
        `delimiter '${delimiterField.slice(0, 16)}' is neither one character nor a hex code`,
      );
    delimiter = parsed;
  }
  return delimiter === '\t' && line.indexOf('\t', header.end) < 0
    ? parseKeyValues(line, header.end, false)
    : splitAttributes(line, header.end, delimiter);
}

function leefTime(options: {
  readonly line: string;
  readonly marker: number;
  readonly attrs: ReadonlyMap<string, string>;
  readonly context: NormalizeContext;
}): EventTime | Rejected {
  const { line, marker, attrs, context } = options;
  let observedAt: number | undefined;
  const devTime = nonEmpty(attrs.get('devTime'));
  if (devTime !== undefined) {
    const pattern = nonEmpty(attrs.get('devTimeFormat'));
    observedAt =
      pattern === undefined ? undefined : parseWithPattern(devTime, pattern, context.ingestedAt);
    observedAt ??= parseDeviceTime(devTime, context.ingestedAt);
    if (observedAt === undefined)
      return reject('leef', 'devTime', `unreadable time '${devTime.slice(0, 64)}'`);
  } else {
    observedAt = syslogPrefixTime(line.slice(0, marker), context.ingestedAt);
  }
  if (observedAt !== undefined && !isPlausibleTime(observedAt))
    return reject('leef', 'devTime', 'outside 1980..2100: probably a unit mistake');
  return observedAt === undefined ? arrivalTime(context) : statedTime(observedAt);
}

function leefSeverity(
  attrs: ReadonlyMap<string, string>,
): { readonly value: number; readonly label: string } | Rejected {
  const sev = nonEmpty(attrs.get('sev'));
  if (sev === undefined) return { value: 50, label: 'unknown' };
  const n = Number(sev);
  if (!Number.isFinite(n) || n < 0 || n > 10)
    return reject('leef', 'sev', `'${sev.slice(0, 16)}' is not 1-10`);
  return { value: clampSeverity(n * 10), label: sev };
}

function leefEntities(attrs: ReadonlyMap<string, string>): EntityBag {
  const entities = new EntityBag();
  entities.ip(attrs.get('src'), 'source');
  entities.ip(attrs.get('dst'), 'destination');
  entities.ip(attrs.get('srcPreNAT'), 'source');
  entities.ip(attrs.get('dstPreNAT'), 'destination');
  entities.ip(attrs.get('identSrc'), 'source');
  entities.user(attrs.get('usrName'), attrs.get('domain'));
  entities.user(attrs.get('accountName'));
  entities.user(attrs.get('suser'));
  entities.user(attrs.get('duser'));
  entities.host(attrs.get('identHostName'));
  entities.hostOrIp(attrs.get('shost'), 'source');
  entities.hostOrIp(attrs.get('dhost'), 'destination');
  entities.host(attrs.get('resource'));
  entities.url(attrs.get('url'));
  entities.hash(attrs.get('fileHash'));
  entities.email(attrs.get('senderMail'));
  entities.email(attrs.get('rcptMail'));
  return entities;
}

/** `^` -> `^`; `x5E`, `0x5E`, `x09` -> the character of that code. */
function parseDelimiter(field: string): string | undefined {
  if (field.length === 1) return field;
  const lower = field.toLowerCase();
  const hex = lower.startsWith('0x')
    ? lower.slice(2)
    : lower.startsWith('x')
      ? lower.slice(1)
      : undefined;
  if (hex === undefined || hex.length < 1 || hex.length > 4) return undefined;
  let code = 0;
  for (let i = 0; i < hex.length; i += 1) {
    const c = hex.charCodeAt(i);
    const nibble = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1;
    if (nibble < 0) return undefined;
    code = code * 16 + nibble;
  }
  return code === 0 ? undefined : String.fromCharCode(code);
}

/** Attributes split on the delimiter; each splits at its first `=`. */
function splitAttributes(line: string, start: number, delimiter: string): Map<string, string> {
  const attrs = new Map<string, string>();
  let from = start;
  while (from <= line.length) {
    let to = line.indexOf(delimiter, from);
    if (to < 0) to = line.length;
    const eq = line.indexOf('=', from);
    if (eq > from && eq < to) {
      const key = line.slice(from, eq).trim();
      if (key.length > 0) attrs.set(key, trimmedSlice(line, eq + 1, to));
    }
    from = to + delimiter.length;
  }
  return attrs;
}

function nonEmpty(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed.length > 0 ? trimmed : undefined;
}
