import { isObject, type JsonObject } from '@soc/contracts';
import { buildAlert, boundedText } from './alert-builder';
import { AttackRefs } from './attack';
import { contentAlertId } from './content-hash';
import { dottedPath, getDotted, type DottedPath } from './dotted-path';
import { EntityBag } from './entities';
import { clampSeverity, severityFromLabel } from './severity';
import { isPlausibleTime, parseTimeValue } from './time';
import { reject, type NormalizeContext, type NormalizeResult } from './types';
import { asArray, firstText, num, own, text, texts } from './values';

/**
 * Elastic Security detection alerts (`.alerts-security.alerts-*` documents, 8.x `kibana.alert.*`
 * fields, with the 7.x `signal.*` names as fallbacks). Documents may be flattened
 * (`"kibana.alert.rule.name"`), nested, or both; a search hit (`{_id, _source}`) is unwrapped.
 *
 * - observedAt: `kibana.alert.start` (when the alert first fired; stable across updates), else
 *   `@timestamp` (creation or last update), else `kibana.alert.original_time` (source event).
 * - alertId: `kibana.alert.uuid`, else the hit `_id`, else the content hash.
 * - ruleId: `kibana.alert.rule.rule_id` (the same across installs of a rule), else its uuid.
 * - severity: `kibana.alert.risk_score` (0-100) with `kibana.alert.severity` as the label.
 */
const P = {
  start: dottedPath('kibana.alert.start'),
  timestamp: dottedPath('@timestamp'),
  originalTime: dottedPath('kibana.alert.original_time'),
  signalOriginalTime: dottedPath('signal.original_time'),
  uuid: dottedPath('kibana.alert.uuid'),
  ruleRuleId: dottedPath('kibana.alert.rule.rule_id'),
  ruleUuid: dottedPath('kibana.alert.rule.uuid'),
  ruleName: dottedPath('kibana.alert.rule.name'),
  ruleDescription: dottedPath('kibana.alert.rule.description'),
  ruleThreat: dottedPath('kibana.alert.rule.threat'),
  ruleParamsThreat: dottedPath('kibana.alert.rule.parameters.threat'),
  reason: dottedPath('kibana.alert.reason'),
  severity: dottedPath('kibana.alert.severity'),
  ruleSeverity: dottedPath('kibana.alert.rule.severity'),
  riskScore: dottedPath('kibana.alert.risk_score'),
  ruleRiskScore: dottedPath('kibana.alert.rule.risk_score'),
  signalRuleId: dottedPath('signal.rule.rule_id'),
  signalRuleUuid: dottedPath('signal.rule.id'),
  signalRuleName: dottedPath('signal.rule.name'),
  signalRuleDescription: dottedPath('signal.rule.description'),
  signalSeverity: dottedPath('signal.rule.severity'),
  signalRiskScore: dottedPath('signal.rule.risk_score'),
  signalThreat: dottedPath('signal.rule.threat'),
  signalReason: dottedPath('signal.reason'),
  eventCategory: dottedPath('event.category'),
  hostName: dottedPath('host.name'),
  hostHostname: dottedPath('host.hostname'),
  hostIp: dottedPath('host.ip'),
  userName: dottedPath('user.name'),
  userDomain: dottedPath('user.domain'),
  userEmail: dottedPath('user.email'),
  sourceIp: dottedPath('source.ip'),
  sourceDomain: dottedPath('source.domain'),
  sourceUserName: dottedPath('source.user.name'),
  destinationIp: dottedPath('destination.ip'),
  destinationDomain: dottedPath('destination.domain'),
  destinationUserName: dottedPath('destination.user.name'),
  fileMd5: dottedPath('file.hash.md5'),
  fileSha1: dottedPath('file.hash.sha1'),
  fileSha256: dottedPath('file.hash.sha256'),
  processName: dottedPath('process.name'),
  processMd5: dottedPath('process.hash.md5'),
  processSha1: dottedPath('process.hash.sha1'),
  processSha256: dottedPath('process.hash.sha256'),
  urlFull: dottedPath('url.full'),
  urlOriginal: dottedPath('url.original'),
  urlDomain: dottedPath('url.domain'),
  dnsQuestion: dottedPath('dns.question.name'),
  relatedUser: dottedPath('related.user'),
  relatedHosts: dottedPath('related.hosts'),
  relatedHash: dottedPath('related.hash'),
  threatTacticId: dottedPath('threat.tactic.id'),
  threatTacticName: dottedPath('threat.tactic.name'),
  threatTechniqueId: dottedPath('threat.technique.id'),
  threatSubtechniqueId: dottedPath('threat.technique.subtechnique.id'),
} as const satisfies Record<string, DottedPath>;

const HASH_PATHS = [
  P.fileMd5,
  P.fileSha1,
  P.fileSha256,
  P.processMd5,
  P.processSha1,
  P.processSha256,
] as const;

/** The alert document: the hit's `_source` when the record is a search hit. */
export function elasticDocument(record: JsonObject): JsonObject {
  const source = own(record, '_source');
  return isObject(source) ? source : record;
}

const get = getDotted;

export function normalizeElastic(
  record: JsonObject,
  original: string,
  context: NormalizeContext,
): NormalizeResult {
  const doc = elasticDocument(record);
  const timeValue =
    get(doc, P.start) ??
    get(doc, P.timestamp) ??
    get(doc, P.originalTime) ??
    get(doc, P.signalOriginalTime);
  if (timeValue === undefined || timeValue === null) {
    return reject('elastic', '@timestamp', 'missing: every alert needs an event time');
  }
  const observedAt = parseTimeValue(timeValue);
  if (observedAt === undefined)
    return reject('elastic', '@timestamp', 'not an ISO 8601 time or an epoch number');
  if (!isPlausibleTime(observedAt))
    return reject('elastic', '@timestamp', 'outside 1980..2100: probably a unit mistake');

  const ruleName = firstText(get(doc, P.ruleName), get(doc, P.signalRuleName));
  const label = firstText(
    get(doc, P.severity),
    get(doc, P.ruleSeverity),
    get(doc, P.signalSeverity),
  );
  const riskScore = num(
    get(doc, P.riskScore) ?? get(doc, P.ruleRiskScore) ?? get(doc, P.signalRiskScore),
  );
  let severity: number;
  if (riskScore !== undefined) {
    if (riskScore < 0 || riskScore > 100)
      return reject('elastic', 'kibana.alert.risk_score', `${riskScore} is outside 0-100`);
    severity = clampSeverity(riskScore);
  } else if (label !== undefined) {
    const mapped = severityFromLabel(label);
    if (mapped === undefined)
      return reject('elastic', 'kibana.alert.severity', `unknown severity '${label.slice(0, 64)}'`);
    severity = mapped;
  } else {
    severity = 50;
  }

  const attack = new AttackRefs();
  collectRuleThreat(get(doc, P.ruleThreat), attack);
  collectRuleThreat(get(doc, P.ruleParamsThreat), attack);
  collectRuleThreat(get(doc, P.signalThreat), attack);
  for (const id of texts(get(doc, P.threatTacticId))) attack.tactic(id);
  for (const name of texts(get(doc, P.threatTacticName))) attack.tactic(name);
  for (const id of texts(get(doc, P.threatTechniqueId))) attack.technique(id);
  for (const id of texts(get(doc, P.threatSubtechniqueId))) attack.technique(id);

  const entities = new EntityBag();
  for (const v of texts(get(doc, P.hostName))) entities.host(v);
  for (const v of texts(get(doc, P.hostHostname))) entities.host(v);
  // The alerting host's own addresses: it is the affected side of the alert.
  for (const v of texts(get(doc, P.hostIp))) entities.ip(v, 'destination');
  const userDomain = text(get(doc, P.userDomain));
  for (const v of texts(get(doc, P.userName))) entities.user(v, userDomain);
  for (const v of texts(get(doc, P.userEmail))) entities.email(v);
  for (const v of texts(get(doc, P.sourceIp))) entities.ip(v, 'source');
  for (const v of texts(get(doc, P.destinationIp))) entities.ip(v, 'destination');
  for (const v of texts(get(doc, P.sourceDomain))) entities.domain(v);
  for (const v of texts(get(doc, P.destinationDomain))) entities.domain(v);
  for (const v of texts(get(doc, P.sourceUserName))) entities.user(v);
  for (const v of texts(get(doc, P.destinationUserName))) entities.user(v);
  for (const path of HASH_PATHS) {
    for (const v of texts(get(doc, path))) entities.hash(v);
  }
  for (const v of texts(get(doc, P.processName))) entities.process(v);
  for (const v of texts(get(doc, P.urlFull) ?? get(doc, P.urlOriginal))) entities.url(v);
  for (const v of texts(get(doc, P.urlDomain))) entities.domain(v);
  for (const v of texts(get(doc, P.dnsQuestion))) entities.domain(v);
  for (const v of texts(get(doc, P.relatedUser))) entities.user(v);
  for (const v of texts(get(doc, P.relatedHosts))) entities.host(v);
  for (const v of texts(get(doc, P.relatedHash))) entities.hash(v);

  const reason = boundedText(firstText(get(doc, P.reason), get(doc, P.signalReason)));
  const ruleDescription = boundedText(
    firstText(get(doc, P.ruleDescription), get(doc, P.signalRuleDescription)),
  );
  return {
    ok: true,
    alert: buildAlert(context, 'elastic', original, {
      alertId: firstText(get(doc, P.uuid), own(record, '_id')) ?? contentAlertId(original),
      observedAt,
      product: 'Elastic Security',
      vendor: 'Elastic',
      ruleId:
        firstText(
          get(doc, P.ruleRuleId),
          get(doc, P.ruleUuid),
          get(doc, P.signalRuleId),
          get(doc, P.signalRuleUuid),
        ) ?? null,
      ruleName: ruleName ?? null,
      title: ruleName ?? reason ?? 'Elastic Security alert',
      description: reason ?? ruleDescription ?? null,
      severity,
      severityLabel: label ?? (riskScore !== undefined ? String(riskScore) : 'unknown'),
      confidence: null,
      category: texts(get(doc, P.eventCategory))[0] ?? null,
      attack,
      entities,
    }),
  };
}

/**
 * The rule's threat mapping, as the detection rules API defines it:
 * `[{framework, tactic: {id, name}, technique: [{id, name, subtechnique: [{id, name}]}]}]`.
 */
function collectRuleThreat(value: unknown, attack: AttackRefs): void {
  for (const threat of asArray(value)) {
    const tactic = own(threat, 'tactic');
    const tacticId = text(own(tactic, 'id'));
    attack.tactic(tacticId ?? text(own(tactic, 'name')));
    for (const technique of asArray(own(threat, 'technique'))) {
      attack.technique(own(technique, 'id'));
      for (const sub of asArray(own(technique, 'subtechnique'))) attack.technique(own(sub, 'id'));
    }
  }
}
