import type { JsonObject } from '@soc/contracts';
import { buildAlert, boundedText } from './alert-builder';
import { AttackRefs } from './attack';
import { contentAlertId } from './content-hash';
import { EntityBag } from './entities';
import { confidenceFromLabel, suricataSeverity } from './severity';
import { isPlausibleTime, parseTimeValue } from './time';
import { reject, type NormalizeContext, type NormalizeResult } from './types';
import { asArray, at, num, own, text, texts } from './values';

/**
 * Suricata EVE JSON, `event_type: "alert"` only (flow, dns, stats... records are rejected:
 * they are telemetry, not alerts).
 *
 * - observedAt: `timestamp` (always present in EVE; a zone-less one is UTC).
 * - alertId: EVE has no alert id (`flow_id` names the flow, which may raise several alerts),
 *   so the content hash of the record; `flow_id` goes into the description, read from the
 *   raw text when possible because it exceeds 2^53 and JSON numbers lose its last digits.
 * - ruleId: `alert.signature_id`; title: `alert.signature`; category: `alert.category`.
 * - Severity: `alert.severity` 1-3, 1 the highest (see severity.ts).
 * - ATT&CK from rule metadata: `mitre_tactic_id`, `mitre_tactic_name`, `mitre_technique_id`
 *   (ET rules) and `mitre_attack` (the BETTER schema).
 * - confidence: metadata `confidence` (ET: Low/Medium/High).
 */
export function normalizeSuricata(
  record: JsonObject,
  original: string,
  context: NormalizeContext,
): NormalizeResult {
  const eventType = text(own(record, 'event_type'));
  if (eventType !== 'alert') {
    return reject(
      'suricata',
      'event_type',
      eventType === undefined ? 'missing' : `'${eventType.slice(0, 32)}' is not an alert`,
    );
  }
  const alert = own(record, 'alert');
  if (alert === undefined || alert === null || typeof alert !== 'object')
    return reject('suricata', 'alert', 'missing: an alert record carries its alert object');

  const rawTime = own(record, 'timestamp');
  if (rawTime === undefined || rawTime === null)
    return reject('suricata', 'timestamp', 'missing: every alert needs an event time');
  const observedAt = parseTimeValue(rawTime);
  if (observedAt === undefined) return reject('suricata', 'timestamp', 'not an ISO 8601 time');
  if (!isPlausibleTime(observedAt))
    return reject('suricata', 'timestamp', 'outside 1980..2100: probably a unit mistake');

  const level = num(own(alert, 'severity'));
  if (level !== undefined && (level < 0 || !Number.isInteger(level)))
    return reject('suricata', 'alert.severity', `${level} is not a priority (1 is the highest)`);

  const metadata = own(alert, 'metadata');
  const confidenceLabel = texts(own(metadata, 'confidence'))[0];
  const signatureId = text(own(alert, 'signature_id'));
  const signature = text(own(alert, 'signature'));
  return {
    ok: true,
    alert: buildAlert(context, 'suricata', original, {
      alertId: contentAlertId(original),
      observedAt,
      product: 'Suricata',
      vendor: 'OISF',
      ruleId: signatureId ?? null,
      ruleName: signature ?? null,
      title:
        signature ??
        (signatureId === undefined ? 'Suricata alert' : `Suricata signature ${signatureId}`),
      description: boundedText(flowSummary(record, alert, original)) ?? null,
      severity: level === undefined ? 50 : suricataSeverity(level),
      severityLabel: level === undefined ? 'unknown' : String(level),
      confidence:
        confidenceLabel === undefined ? null : (confidenceFromLabel(confidenceLabel) ?? null),
      category: text(own(alert, 'category')) ?? null,
      attack: metadataAttack(metadata),
      entities: eveEntities(record),
    }),
  };
}

/** ATT&CK from rule metadata: ET's `mitre_*_id`/`_name` keys and BETTER's `mitre_attack`. */
function metadataAttack(metadata: unknown): AttackRefs {
  const attack = new AttackRefs();
  for (const v of texts(own(metadata, 'mitre_tactic_id'))) attack.tactic(v);
  for (const v of texts(own(metadata, 'mitre_tactic_name'))) attack.tactic(v);
  for (const v of texts(own(metadata, 'mitre_technique_id'))) attack.technique(v);
  for (const v of texts(own(metadata, 'mitre_attack'))) attack.technique(v);
  return attack;
}

function eveEntities(record: JsonObject): EntityBag {
  const entities = new EntityBag();
  entities.ip(own(record, 'src_ip'), 'source');
  entities.ip(own(record, 'dest_ip'), 'destination');
  const http = own(record, 'http');
  const httpHost = text(own(http, 'hostname'));
  entities.domainOrIp(httpHost, 'destination');
  const httpUrl = text(own(http, 'url'));
  if (httpUrl !== undefined)
    entities.url(
      httpHost !== undefined && httpUrl.startsWith('/') ? `http://${httpHost}${httpUrl}` : httpUrl,
    );
  entities.domainOrIp(at(record, 'tls', 'sni'), 'destination');
  entities.domainOrIp(at(record, 'dns', 'rrname'), 'destination');
  for (const query of asArray(at(record, 'dns', 'query')))
    entities.domainOrIp(own(query, 'rrname'), 'destination');
  const fileinfo = own(record, 'fileinfo');
  entities.hash(own(fileinfo, 'md5'));
  entities.hash(own(fileinfo, 'sha1'));
  entities.hash(own(fileinfo, 'sha256'));
  return entities;
}

/** `TCP 192.168.2.14:50096 -> 209.53.113.5:80, http, action allowed, flow_id 586497171462735`. */
function flowSummary(record: JsonObject, alert: object, original: string): string | undefined {
  const parts: string[] = [];
  const proto = text(own(record, 'proto'));
  const src = endpoint(own(record, 'src_ip'), own(record, 'src_port'));
  const dest = endpoint(own(record, 'dest_ip'), own(record, 'dest_port'));
  if (src !== undefined || dest !== undefined)
    parts.push(`${proto === undefined ? '' : `${proto} `}${src ?? '?'} -> ${dest ?? '?'}`);
  const appProto = text(own(record, 'app_proto'));
  if (appProto !== undefined) parts.push(appProto);
  const action = text(own(alert, 'action'));
  if (action !== undefined) parts.push(`action ${action}`);
  const flowId = rawFlowId(original) ?? text(own(record, 'flow_id'));
  if (flowId !== undefined) parts.push(`flow_id ${flowId}`);
  return parts.length === 0 ? undefined : parts.join(', ');
}

function endpoint(ip: unknown, port: unknown): string | undefined {
  const address = text(ip);
  if (address === undefined) return undefined;
  const p = text(port);
  return p === undefined
    ? address
    : address.includes(':')
      ? `[${address}]:${p}`
      : `${address}:${p}`;
}

/** The digits of `"flow_id":` as written in the JSON text (exact beyond 2^53). */
function rawFlowId(original: string): string | undefined {
  const key = original.indexOf('"flow_id"');
  if (key < 0) return undefined;
  let i = key + 9;
  while (i < original.length && (original[i] === ' ' || original[i] === ':')) i += 1;
  const start = i;
  while (i < original.length && original.charCodeAt(i) >= 48 && original.charCodeAt(i) <= 57)
    i += 1;
  return i > start && i - start <= 20 ? original.slice(start, i) : undefined;
}
