import { isObject, type AlertFormat, type JsonObject } from '@soc/contracts';
import { findMarker } from './cef';
import { dottedPath, getDotted } from './dotted-path';
import { at, own } from './values';

/**
 * Format detection, deterministic and cheap, for records whose door does not name a format.
 *
 * Text (a line as received):
 *   1. first non-blank character `{`: a JSON object, detected as below;
 *   2. else the earliest `CEF:` or `LEEF:` marker at the line start or after a space (a syslog
 *      header may precede it): cef or leef;
 *   3. else unknown.
 *
 * JSON objects, first match wins. Specific envelopes come before generic shapes, and Elastic
 * before Suricata/Wazuh because an Elastic alert copies its source event's fields (a rule over
 * a Wazuh index carries `rule.level`):
 *   1. canonical   `tenantId`, `alertId`, `observedAt`, `format`, `entities` all present;
 *   2. ms-graph    `@odata.type` naming `microsoft.graph.security.alert`, or `evidence` +
 *                  `createdDateTime` + one of `providerAlertId`/`serviceSource`/`detectionSource`;
 *   3. ocsf        numeric `class_uid` with `category_uid`, `metadata` or `finding_info`;
 *   4. elastic     a `kibana.alert.*` or `signal.rule` field, or a plain ECS alert
 *                  (`event.kind: alert` with a `rule` field); flattened or nested, also under
 *                  a search hit's `_source`;
 *   5. suricata    `event_type` with an `alert` object, `src_ip` or `flow_id`;
 *   6. wazuh       a `rule` object with `level`, and `agent`, `manager` or `decoder` (also
 *                  under a search hit's `_source`, as the Wazuh indexer returns it);
 *   7. aminer      `AnalysisComponent` and `LogData` objects;
 *   8. splunk      webhook `result` + `sid`/`search_name`/`results_link`; HEC `event` +
 *                  `time`/`sourcetype`; or a notable row (`rule_name`/`search_name` + `_time`);
 *   9. simple-json `timestamp` or `severity` with `id`, `description`, `source_ip` or `target_user`;
 *  10. unknown.
 */
export function detectTextFormat(line: string): AlertFormat | 'json' | undefined {
  const first = firstNonBlank(line);
  if (first === '{') return 'json';
  const cef = findMarker(line, 'CEF:');
  const leef = findMarker(line, 'LEEF:');
  if (cef < 0 && leef < 0) return undefined;
  if (leef < 0) return 'cef';
  if (cef < 0) return 'leef';
  return cef < leef ? 'cef' : 'leef';
}

function firstNonBlank(line: string): string | undefined {
  for (let i = 0; i < line.length; i += 1) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 0xfeff) return line[i];
  }
  return undefined;
}

export function detectObjectFormat(record: JsonObject): AlertFormat | undefined {
  for (const [format, matches] of OBJECT_DETECTORS) if (matches(record)) return format;
  return undefined;
}

const isCanonical = (record: JsonObject): boolean =>
  has(record, 'tenantId') &&
  has(record, 'alertId') &&
  has(record, 'observedAt') &&
  has(record, 'format') &&
  has(record, 'entities');

function isMsGraph(record: JsonObject): boolean {
  const odataType = own(record, '@odata.type');
  if (
    typeof odataType === 'string' &&
    odataType.toLowerCase().includes('microsoft.graph.security.alert')
  )
    return true;
  return (
    Array.isArray(own(record, 'evidence')) &&
    has(record, 'createdDateTime') &&
    (has(record, 'providerAlertId') ||
      has(record, 'serviceSource') ||
      has(record, 'detectionSource'))
  );
}

const isOcsf = (record: JsonObject): boolean =>
  typeof own(record, 'class_uid') === 'number' &&
  (has(record, 'category_uid') || has(record, 'metadata') || has(record, 'finding_info'));

const isSuricata = (record: JsonObject): boolean =>
  typeof own(record, 'event_type') === 'string' &&
  (isObject(own(record, 'alert')) || has(record, 'src_ip') || has(record, 'flow_id'));

const isAminer = (record: JsonObject): boolean =>
  isObject(own(record, 'AnalysisComponent')) && isObject(own(record, 'LogData'));

/** A webhook envelope, a HEC event, or a notable row. */
function isSplunk(record: JsonObject): boolean {
  if (
    isObject(own(record, 'result')) &&
    (has(record, 'sid') || has(record, 'search_name') || has(record, 'results_link'))
  )
    return true;
  if (
    has(record, 'event') &&
    (has(record, 'time') || typeof own(record, 'sourcetype') === 'string') &&
    !has(record, '@timestamp')
  )
    return true;
  return (has(record, 'rule_name') || has(record, 'search_name')) && has(record, '_time');
}

const isSimpleJson = (record: JsonObject): boolean =>
  (has(record, 'timestamp') || has(record, 'severity')) &&
  (has(record, 'id') ||
    has(record, 'description') ||
    has(record, 'source_ip') ||
    has(record, 'target_user'));

const has = (record: JsonObject, key: string): boolean => Object.hasOwn(record, key);

function isWazuh(record: JsonObject): boolean {
  const source = own(record, '_source');
  const doc = isObject(source) ? source : record;
  const rule = own(doc, 'rule');
  return (
    isObject(rule) &&
    has(rule, 'level') &&
    (has(doc, 'agent') || has(doc, 'manager') || has(doc, 'decoder'))
  );
}

const EVENT_KIND = dottedPath('event.kind');
const RULE = dottedPath('rule');
const RULE_NAME = dottedPath('rule.name');

function isElastic(record: JsonObject): boolean {
  const source = own(record, '_source');
  const doc = isObject(source) ? source : record;
  if (isObject(at(doc, 'kibana', 'alert')) || isObject(at(doc, 'signal', 'rule'))) return true;
  if (
    getDotted(doc, EVENT_KIND) === 'alert' &&
    (isObject(getDotted(doc, RULE)) || getDotted(doc, RULE_NAME) !== undefined)
  )
    return true;
  const kibana = own(doc, 'kibana');
  if (isObject(kibana)) {
    for (const key in kibana) if (key.startsWith('alert.')) return true;
  }
  for (const key in doc) {
    if (key.startsWith('kibana.alert.') || key.startsWith('signal.rule'))
      return Object.hasOwn(doc, key);
  }
  return false;
}

/** In the order of the list above: the first match wins. */
const OBJECT_DETECTORS: readonly (readonly [AlertFormat, (record: JsonObject) => boolean])[] = [
  ['canonical', isCanonical],
  ['ms-graph', isMsGraph],
  ['ocsf', isOcsf],
  ['elastic', isElastic],
  ['suricata', isSuricata],
  ['wazuh', isWazuh],
  ['aminer', isAminer],
  ['splunk', isSplunk],
  ['simple-json', isSimpleJson],
];
