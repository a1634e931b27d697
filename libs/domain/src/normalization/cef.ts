import { buildAlert, boundedText } from './alert-builder';
import { arrivalTime, statedTime, type EventTime } from './arrival-time';
import { AttackRefs } from './attack';
import { contentAlertId } from './content-hash';
import { EntityBag } from './entities';
import { parseKeyValues } from './key-value';
import { clampSeverity, severityFromLabel } from './severity';
import { syslogPrefixTime } from './syslog-prefix';
import { isPlausibleTime, parseDeviceTime } from './time';
import {
  isRejected,
  reject,
  type NormalizeContext,
  type NormalizeResult,
  type Rejected,
} from './types';

/**
 * ArcSight Common Event Format:
 * `[syslog prefix] CEF:Version|Device Vendor|Device Product|Device Version|Signature ID|Name|Severity|Extension`
 *
 * - Header fields unescape `\|` and `\\`; the extension follows key-value.ts.
 * - Extension keys are read by their short name or their full name (`src`/`sourceAddress`).
 * - observedAt: `rt` (device receipt time), else `end`, else `start`, else the syslog
 *   header's time; each in ms epoch, `MMM dd [yyyy] HH:mm:ss[.SSS] [zone]` or ISO 8601.
 *   With none of them, the arrival time, flagged `observedAtFromArrival` (arrival-time.ts).
 * - Severity: 0-10 (x10) or Unknown/Low/Medium/High/Very-High.
 * - Custom fields (`cs1`..`cs6`, `cn1`..`cn3`, `cfp1`..`cfp4`, `c6a1`..`c6a4`, `flexString1-2`,
 *   `deviceCustomDate1-2`) are appended to the description as `Label=value` with their
 *   `...Label` key's text (or the key itself when no label is given).
 * - alertId: `externalId` (the id the device assigned), else the content hash of the line.
 */
export function normalizeCef(line: string, context: NormalizeContext): NormalizeResult {
  const marker = findMarker(line, 'CEF:');
  if (marker < 0) return reject('cef', 'header', 'no CEF: header in the line');
  const header = splitHeader(line, marker + 4, 7);
  if (header === undefined)
    return reject('cef', 'header', 'a CEF header needs 7 |-separated fields after CEF:');
  const [, vendor, product, , signatureId, name, severityText] = header.fields as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const ext = parseKeyValues(line, header.end);
  const time = cefTime({ line, marker, ext, context });
  if (isRejected(time)) return time;
  const severity = cefSeverity(severityText);
  if (severity === undefined)
    return reject(
      'cef',
      'severity',
      `'${severityText.slice(0, 32)}' is neither 0-10 nor Low/Medium/High/Very-High/Unknown`,
    );
  const description = boundedText(joinDescription(field(ext, 'msg', 'message'), customFields(ext)));
  return {
    ok: true,
    alert: buildAlert(context, 'cef', line, {
      alertId: field(ext, 'externalId', 'externalId') ?? contentAlertId(line),
      ...time,
      product: nonEmpty(product) ?? null,
      vendor: nonEmpty(vendor) ?? null,
      ruleId: nonEmpty(signatureId) ?? null,
      ruleName: nonEmpty(name) ?? null,
      title: nonEmpty(name) ?? nonEmpty(signatureId) ?? 'CEF event',
      description: description ?? null,
      severity: severity.value,
      severityLabel: severity.label,
      confidence: null,
      category: field(ext, 'cat', 'deviceEventCategory') ?? null,
      attack: new AttackRefs(),
      entities: cefEntities(ext),
    }),
  };
}

/**
 * The first of `rt`, `end`, `start` that is present (unreadable is a rejection, not a fall
 * through to the next), else the syslog prefix's time, else the arrival time.
 */
function cefTime(options: {
  readonly line: string;
  readonly marker: number;
  readonly ext: ReadonlyMap<string, string>;
  readonly context: NormalizeContext;
}): EventTime | Rejected {
  const { line, marker, ext, context } = options;
  let observedAt: number | undefined;
  let timeField = 'rt';
  for (const [short, long] of TIME_KEYS) {
    const value = field(ext, short, long);
    if (value === undefined) continue;
    observedAt = parseDeviceTime(value, context.ingestedAt);
    timeField = short;
    if (observedAt === undefined)
      return reject('cef', short, `unreadable time '${value.slice(0, 64)}'`);
    break;
  }
  if (observedAt === undefined) {
    observedAt = syslogPrefixTime(line.slice(0, marker), context.ingestedAt);
    timeField = 'rt';
  }
  if (observedAt !== undefined && !isPlausibleTime(observedAt))
    return reject('cef', timeField, 'outside 1980..2100: probably a unit mistake');
  return observedAt === undefined ? arrivalTime(context) : statedTime(observedAt);
}

function cefEntities(ext: ReadonlyMap<string, string>): EntityBag {
  const entities = new EntityBag();
  entities.ip(field(ext, 'src', 'sourceAddress'), 'source');
  entities.ip(field(ext, 'dst', 'destinationAddress'), 'destination');
  entities.ip(field(ext, 'c6a2', 'deviceCustomIPv6Address2'), 'source');
  entities.ip(field(ext, 'c6a3', 'deviceCustomIPv6Address3'), 'destination');
  entities.hostOrIp(field(ext, 'shost', 'sourceHostName'), 'source');
  entities.hostOrIp(field(ext, 'dhost', 'destinationHostName'), 'destination');
  entities.user(field(ext, 'suser', 'sourceUserName'), field(ext, 'sntdom', 'sourceNtDomain'));
  entities.user(
    field(ext, 'duser', 'destinationUserName'),
    field(ext, 'dntdom', 'destinationNtDomain'),
  );
  entities.hash(field(ext, 'fileHash', 'fileHash'));
  entities.process(field(ext, 'sproc', 'sourceProcessName'));
  entities.process(field(ext, 'dproc', 'destinationProcessName'));
  const request = field(ext, 'request', 'requestURL');
  if (request !== undefined) entities.url(stripQuotes(request));
  return entities;
}

const TIME_KEYS = [
  ['rt', 'deviceReceiptTime'],
  ['end', 'endTime'],
  ['start', 'startTime'],
] as const;

/**
 * Where a `CEF:`/`LEEF:` payload starts: at the line start or after a space (a syslog prefix).
 * The first such occurrence wins.
 */
export function findMarker(line: string, marker: string): number {
  let from = 0;
  while (from <= line.length) {
    const index = line.indexOf(marker, from);
    if (index < 0) return -1;
    if (index === 0 || line.charCodeAt(index - 1) === 32 || line.charCodeAt(index - 1) === 9)
      return index;
    from = index + 1;
  }
  return -1;
}

/**
 * Splits `count` pipe-separated header fields starting at `start` (the version is the first),
 * unescaping `\|` and `\\`. The extension starts after the last field's pipe; a header whose
 * last field runs to the end of the line (no extension, no closing pipe) is accepted too.
 */
export function splitHeader(
  line: string,
  start: number,
  count: number,
): { readonly fields: readonly string[]; readonly end: number } | undefined {
  const fields: string[] = [];
  let segmentStart = start;
  let escaped = false;
  let i = start;
  while (i < line.length && fields.length < count) {
    const c = line.charCodeAt(i);
    if (c === 92) {
      escaped = true;
      i += 2;
      continue;
    }
    if (c === 124) {
      const raw = line.slice(segmentStart, i);
      fields.push(escaped ? unescapeHeader(raw) : raw);
      segmentStart = i + 1;
      escaped = false;
    }
    i += 1;
  }
  if (fields.length === count - 1 && segmentStart < line.length) {
    const raw = line.slice(segmentStart);
    fields.push(escaped ? unescapeHeader(raw) : raw);
    return { fields, end: line.length };
  }
  return fields.length === count ? { fields, end: Math.min(i, line.length) } : undefined;
}

function unescapeHeader(raw: string): string {
  let out = '';
  for (let i = 0; i < raw.length; i += 1) {
    const ch = raw[i] as string;
    const next = raw[i + 1];
    if (ch === '\\' && (next === '|' || next === '\\')) {
      out += next;
      i += 1;
    } else {
      out += ch;
    }
  }
  return out;
}

function cefSeverity(raw: string): { readonly value: number; readonly label: string } | undefined {
  const label = raw.trim();
  if (label.length === 0) return { value: 50, label: 'unknown' };
  if (label.length <= 2) {
    const n = Number(label);
    if (Number.isInteger(n) && n >= 0 && n <= 10) return { value: clampSeverity(n * 10), label };
  }
  const mapped = severityFromLabel(label);
  return mapped === undefined ? undefined : { value: mapped, label };
}

const CUSTOM_KEYS: readonly (readonly [string, string, string])[] = [
  ...[1, 2, 3, 4, 5, 6].map((n) => [`cs${n}`, `cs${n}Label`, `deviceCustomString${n}`] as const),
  ...[1, 2, 3].map((n) => [`cn${n}`, `cn${n}Label`, `deviceCustomNumber${n}`] as const),
  ...[1, 2, 3, 4].map((n) => [`cfp${n}`, `cfp${n}Label`, `deviceCustomFloatingPoint${n}`] as const),
  ...[1, 2, 3, 4].map((n) => [`c6a${n}`, `c6a${n}Label`, `deviceCustomIPv6Address${n}`] as const),
  ...[1, 2].map((n) => [`flexString${n}`, `flexString${n}Label`, `flexString${n}`] as const),
  ...[1, 2].map(
    (n) => [`deviceCustomDate${n}`, `deviceCustomDate${n}Label`, `deviceCustomDate${n}`] as const,
  ),
];

/** `Label=value` for every custom field that has a value, in the CEF key order above. */
function customFields(ext: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const [short, labelKey, long] of CUSTOM_KEYS) {
    const value = nonEmpty(ext.get(short)) ?? nonEmpty(ext.get(long));
    if (value === undefined) continue;
    const label = nonEmpty(ext.get(labelKey)) ?? nonEmpty(ext.get(`${long}Label`)) ?? short;
    out.push(`${label}=${value}`);
  }
  return out;
}

function joinDescription(
  message: string | undefined,
  custom: readonly string[],
): string | undefined {
  if (custom.length === 0) return message;
  const fields = custom.join('; ');
  return message === undefined ? fields : `${message}\n${fields}`;
}

/** An extension value by its short or full CEF name. */
function field(ext: ReadonlyMap<string, string>, short: string, long: string): string | undefined {
  return nonEmpty(ext.get(short)) ?? nonEmpty(ext.get(long));
}

function nonEmpty(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed.length > 0 ? trimmed : undefined;
}

/** `request='https://...'` (some senders quote values) to the bare value. */
function stripQuotes(value: string): string {
  const first = value[0];
  if ((first === "'" || first === '"') && value.length >= 2 && value.endsWith(first))
    return value.slice(1, -1);
  return value;
}
