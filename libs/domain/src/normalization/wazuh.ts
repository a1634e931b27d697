import { isObject, type JsonObject } from '@soc/contracts';
import { buildAlert, boundedText } from './alert-builder';
import { AttackRefs } from './attack';
import { contentAlertId } from './content-hash';
import { EntityBag } from './entities';
import { wazuhSeverity } from './severity';
import { isPlausibleTime, parseTimeValue } from './time';
import { reject, type NormalizeContext, type NormalizeResult } from './types';
import { at, num, own, text, texts } from './values';

/**
 * Wazuh `alerts.json` lines (and the same alert inside the logtest API's `output`), and the
 * documents the Wazuh indexer stores and exports (`wazuh-alerts-4.x-*`: the alert as `_source`
 * of a search hit or a dump line, with `@timestamp` and without `timestamp`).
 *
 * - observedAt: `timestamp` (`2020-07-12T18:07:57.676+0000`; the manager always writes it),
 *   else the indexer's `@timestamp` (`2022-01-14T00:00:09.000Z`, set from it).
 * - alertId: `id` (`<epoch>.<offset>`), else the hit `_id`, else the content hash.
 * - ruleId/ruleName/title: `rule.id`, `rule.description`; severity: `rule.level` 0-15.
 * - ATT&CK: `rule.mitre.id` (techniques) and `rule.mitre.tactic` (names, kept as given).
 * - Entities: `agent.name` and `predecoder.hostname` (hosts), `agent.ip` (the monitored
 *   host's address: destination), `data.srcip`/`data.dstip`, `data.srcuser`/`data.dstuser`,
 *   `data.url`, the file hashes after a syscheck (FIM) change, and the who-data users and
 *   process of that change.
 * - description: `full_log`, else for a FIM alert `File <path> <event>`; category: the last
 *   (most specific) of `rule.groups`, which Wazuh lists from generic to specific.
 */
export function normalizeWazuh(
  record: JsonObject,
  original: string,
  context: NormalizeContext,
): NormalizeResult {
  const source = own(record, '_source');
  const hit = isObject(source) ? record : undefined;
  const doc = isObject(source) ? source : record;
  const rule = own(doc, 'rule');
  if (rule === undefined || rule === null || typeof rule !== 'object')
    return reject('wazuh', 'rule', 'missing: a Wazuh alert names its rule');
  const level = num(own(rule, 'level'));
  if (level === undefined)
    return reject('wazuh', 'rule.level', 'missing: a Wazuh rule has a level 0-15');
  if (level < 0 || level > 15) return reject('wazuh', 'rule.level', `${level} is outside 0-15`);

  const timeField = own(doc, 'timestamp') === undefined ? '@timestamp' : 'timestamp';
  const rawTime = own(doc, timeField);
  if (rawTime === undefined || rawTime === null)
    return reject('wazuh', 'timestamp', 'missing: every alert needs an event time');
  const observedAt = parseTimeValue(rawTime);
  if (observedAt === undefined) return reject('wazuh', timeField, 'not an ISO 8601 time');
  if (!isPlausibleTime(observedAt))
    return reject('wazuh', timeField, 'outside 1980..2100: probably a unit mistake');

  const ruleId = text(own(rule, 'id'));
  const description = text(own(rule, 'description'));
  const groups = texts(own(rule, 'groups'));
  return {
    ok: true,
    alert: buildAlert(context, 'wazuh', original, {
      alertId: text(own(doc, 'id')) ?? text(own(hit, '_id')) ?? contentAlertId(original),
      observedAt,
      product: 'Wazuh',
      vendor: 'Wazuh',
      ruleId: ruleId ?? null,
      ruleName: description ?? null,
      title: description ?? (ruleId === undefined ? 'Wazuh alert' : `Wazuh rule ${ruleId}`),
      description:
        boundedText(text(own(doc, 'full_log')) ?? fileChange(own(doc, 'syscheck'))) ?? null,
      severity: wazuhSeverity(level),
      severityLabel: String(level),
      confidence: null,
      category: groups[groups.length - 1] ?? null,
      attack: mitreAttack(rule),
      entities: wazuhEntities(doc),
    }),
  };
}

/** `rule.mitre.tactic` (names, kept as given) and `rule.mitre.id` (techniques). */
function mitreAttack(rule: object): AttackRefs {
  const mitre = own(rule, 'mitre');
  const attack = new AttackRefs();
  for (const v of texts(own(mitre, 'tactic'))) attack.tactic(v);
  for (const v of texts(own(mitre, 'id'))) attack.technique(v);
  return attack;
}

function wazuhEntities(doc: unknown): EntityBag {
  const entities = new EntityBag();
  const agent = own(doc, 'agent');
  entities.host(own(agent, 'name'));
  entities.host(at(doc, 'predecoder', 'hostname'));
  entities.ip(own(agent, 'ip'), 'destination');
  const data = own(doc, 'data');
  entities.ip(own(data, 'srcip'), 'source');
  entities.ip(own(data, 'dstip'), 'destination');
  entities.user(own(data, 'srcuser'));
  entities.user(own(data, 'dstuser'));
  entities.url(own(data, 'url'));
  const syscheck = own(doc, 'syscheck');
  entities.hash(own(syscheck, 'md5_after'));
  entities.hash(own(syscheck, 'sha1_after'));
  entities.hash(own(syscheck, 'sha256_after'));
  entities.user(at(syscheck, 'audit', 'user', 'name'));
  entities.user(at(syscheck, 'audit', 'login_user', 'name'));
  entities.process(at(syscheck, 'audit', 'process', 'name'));
  return entities;
}

/** `File /etc/hosts modified` for a syscheck (FIM) alert without a log line. */
function fileChange(syscheck: unknown): string | undefined {
  const path = text(own(syscheck, 'path'));
  if (path === undefined) return undefined;
  const event = text(own(syscheck, 'event'));
  return event === undefined ? `File ${path}` : `File ${path} ${event}`;
}
