import { isObject, type JsonObject } from '@soc/contracts';
import { buildAlert, boundedText } from './alert-builder';
import { arrivalTime, statedTime, type EventTime } from './arrival-time';
import { AttackRefs } from './attack';
import { contentAlertId } from './content-hash';
import { EntityBag } from './entities';
import { ALERT_LIMITS } from './limits';
import { severityFromLabel } from './severity';
import { isPlausibleTime, parseTimeValue } from './time';
import {
  isRejected,
  reject,
  type NormalizeContext,
  type NormalizeResult,
  type Rejected,
} from './types';
import { firstText, own, parseJson, text, texts } from './values';

/**
 * Splunk (Enterprise Security notable events) in three envelopes:
 * - webhook alert action: `{result: {...first result row...}, sid, search_name, results_link, owner, app}`;
 * - HTTP Event Collector / Splunk Connect for Kafka: `{time, host, source, sourcetype, event: {...}}`;
 * - a bare result row (a notable exported from a search).
 * The fields below are read from the row (`result` or `event`).
 *
 * - observedAt: `_time` (when the notable fired), else the HEC `time`, else `orig_time`.
 *   A payload without any of them (a webhook whose row has no `_time`) takes the arrival
 *   time, flagged `observedAtFromArrival` (arrival-time.ts).
 * - alertId: `event_id` (ES's unique notable id), else the webhook `sid`, else the content hash.
 * - ruleId: `search_name` (the correlation search); ruleName: `rule_name`.
 * - title: `rule_title` with its `$field$` tokens filled from the row, else `rule_name`.
 * - severity: `urgency` (what ES ranks by), else `severity` (labels, see severity.ts).
 * - category: `security_domain`.
 * - Entities from the CIM fields, also when data-model prefixed (`IDS_Attacks.src`):
 *   `src`/`dest` (IP or host), `src_ip`/`dest_ip`, `*_nt_host`/`*_dns`/`orig_host` (hosts),
 *   `user`/`src_user`/`dest_user`, `file_hash`, `url`.
 */
export function normalizeSplunk(
  record: JsonObject,
  original: string,
  context: NormalizeContext,
): NormalizeResult {
  const unwrapped = unwrapRow(record);
  if ('error' in unwrapped) return reject('splunk', unwrapped.field, unwrapped.error);
  const { row, envelopeTime, rowPath } = unwrapped;

  const time = splunkTime({ row, envelopeTime, rowPath, context });
  if (isRejected(time)) return time;
  const severity = splunkSeverity(row, rowPath);
  if (isRejected(severity)) return severity;
  const searchName = firstText(
    own(row, 'search_name'),
    own(record, 'search_name'),
    own(row, 'source'),
  );
  const ruleName = firstText(own(row, 'rule_name'), searchName);
  const ruleTitle = text(own(row, 'rule_title'));
  const notable =
    own(row, 'rule_name') !== undefined ||
    own(row, 'urgency') !== undefined ||
    own(row, 'security_domain') !== undefined;
  return {
    ok: true,
    alert: buildAlert(context, 'splunk', original, {
      alertId: firstText(own(row, 'event_id'), own(record, 'sid')) ?? contentAlertId(original),
      ...time,
      product: notable ? 'Splunk Enterprise Security' : 'Splunk',
      vendor: 'Splunk',
      ruleId: searchName ?? null,
      ruleName: ruleName ?? null,
      title:
        (ruleTitle === undefined ? undefined : fillTokens(ruleTitle, row)) ??
        ruleName ??
        'Splunk alert',
      description:
        boundedText(
          firstText(
            own(row, 'rule_description'),
            own(row, 'savedsearch_description'),
            own(row, 'description'),
          ),
        ) ?? null,
      severity: severity.value,
      severityLabel: severity.label,
      confidence: null,
      category: text(own(row, 'security_domain')) ?? null,
      attack: attackOf(row),
      entities: cimEntities(row),
    }),
  };
}

function splunkTime(options: {
  readonly row: JsonObject;
  readonly envelopeTime: unknown;
  readonly rowPath: string;
  readonly context: NormalizeContext;
}): EventTime | Rejected {
  const { row, envelopeTime, rowPath, context } = options;
  const rawTime = own(row, '_time') ?? envelopeTime ?? own(row, 'orig_time');
  const timeField = rowPath.length > 0 ? `${rowPath}._time` : '_time';
  if (rawTime === undefined || rawTime === null || rawTime === '') return arrivalTime(context);
  const observedAt = parseTimeValue(rawTime);
  if (observedAt === undefined)
    return reject('splunk', timeField, 'not an ISO 8601 time or an epoch number');
  if (!isPlausibleTime(observedAt))
    return reject('splunk', timeField, 'outside 1980..2100: probably a unit mistake');
  return statedTime(observedAt);
}

/** `urgency` (what ES ranks by), else `severity`; a rejection names the field it read. */
function splunkSeverity(
  row: JsonObject,
  rowPath: string,
): { readonly value: number; readonly label: string } | Rejected {
  const urgency = text(own(row, 'urgency'));
  const label = urgency ?? text(own(row, 'severity'));
  if (label === undefined) return { value: 50, label: 'unknown' };
  const mapped = severityFromLabel(label);
  if (mapped === undefined)
    return reject(
      'splunk',
      `${rowPath.length > 0 ? `${rowPath}.` : ''}${urgency !== undefined ? 'urgency' : 'severity'}`,
      `unknown label '${label.slice(0, 32)}'`,
    );
  return { value: mapped, label };
}

function cimEntities(row: JsonObject): EntityBag {
  const entities = new EntityBag();
  for (const key of Object.keys(row)) collectCimField(key, row[key], entities);
  return entities;
}

type Unwrapped =
  | { readonly row: JsonObject; readonly envelopeTime: unknown; readonly rowPath: string }
  | { readonly error: string; readonly field: string };

function unwrapRow(record: JsonObject): Unwrapped {
  const result = own(record, 'result');
  if (result !== undefined) {
    if (!isObject(result))
      return { field: 'result', error: 'the webhook result row is not an object' };
    return { row: result, envelopeTime: undefined, rowPath: 'result' };
  }
  const event = own(record, 'event');
  if (event !== undefined) {
    let row: unknown = event;
    if (typeof event === 'string') {
      const trimmed = event.trim();
      const parsed = trimmed.startsWith('{') ? parseJson(trimmed) : undefined;
      row = parsed !== undefined && 'value' in parsed ? parsed.value : undefined;
      if (row === undefined)
        return { field: 'event', error: 'the HEC event is raw text, not a notable event object' };
    }
    if (!isObject(row)) return { field: 'event', error: 'the HEC event is not an object' };
    return { row, envelopeTime: own(record, 'time'), rowPath: 'event' };
  }
  return { row: record, envelopeTime: undefined, rowPath: '' };
}

/** CIM field name (without a data model prefix) to what it holds. */
const CIM_FIELDS: ReadonlyMap<
  string,
  'src' | 'dest' | 'srcIp' | 'destIp' | 'host' | 'user' | 'hash' | 'url'
> = new Map([
  ['src', 'src'],
  ['dest', 'dest'],
  ['src_ip', 'srcIp'],
  ['dest_ip', 'destIp'],
  ['src_nt_host', 'host'],
  ['dest_nt_host', 'host'],
  ['src_dns', 'host'],
  ['dest_dns', 'host'],
  ['orig_host', 'host'],
  ['user', 'user'],
  ['src_user', 'user'],
  ['dest_user', 'user'],
  ['file_hash', 'hash'],
  ['url', 'url'],
] as const);

function collectCimField(key: string, value: unknown, entities: EntityBag): void {
  const dot = key.lastIndexOf('.');
  const name = dot >= 0 ? key.slice(dot + 1) : key;
  const kind = CIM_FIELDS.get(name);
  if (kind === undefined) return;
  for (const v of texts(value)) {
    switch (kind) {
      case 'src':
        entities.hostOrIp(v, 'source');
        break;
      case 'dest':
        entities.hostOrIp(v, 'destination');
        break;
      case 'srcIp':
        entities.ip(v, 'source');
        break;
      case 'destIp':
        entities.ip(v, 'destination');
        break;
      case 'host':
        entities.host(v);
        break;
      case 'user':
        entities.user(v);
        break;
      case 'hash':
        entities.hash(v);
        break;
      case 'url':
        entities.url(v);
    }
  }
}

/** ES annotations (`annotations.mitre_attack`, or the flattened `...mitre_attack` field). */
function attackOf(row: JsonObject): AttackRefs {
  const attack = new AttackRefs();
  for (const v of texts(own(row, 'annotations.mitre_attack'))) attack.technique(v);
  for (const v of texts(own(row, 'annotations.mitre_attack.mitre_technique_id')))
    attack.technique(v);
  for (const v of texts(own(row, 'annotations.mitre_attack.mitre_tactic_id'))) attack.tactic(v);
  return attack;
}

/**
 * `$field$` tokens replaced by the row's value, as Incident Review shows the title. Filling
 * stops once the title is past its cap: a few bytes of tokens naming a large field must not
 * expand to megabytes (limitAlert then cuts it to the cap and records that).
 */
function fillTokens(title: string, row: JsonObject): string {
  if (title.indexOf('$') < 0) return title;
  let out = '';
  let i = 0;
  while (i < title.length && out.length <= ALERT_LIMITS.titleBytes) {
    const open = title.indexOf('$', i);
    if (open < 0) break;
    const close = title.indexOf('$', open + 1);
    if (close < 0) break;
    const value = texts(own(row, title.slice(open + 1, close)))[0];
    if (value === undefined) {
      out += title.slice(i, close);
      i = close;
      continue;
    }
    out += title.slice(i, open) + value;
    i = close + 1;
  }
  return out + title.slice(i);
}
