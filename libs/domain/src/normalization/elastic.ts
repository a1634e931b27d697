import { buildAlert, boundedText } from './alert-builder';
import { AttackRefs } from './attack';
import { contentAlertId } from './content-hash';
import { dottedPath, getDotted, type DottedPath } from './dotted-path';
import { EntityBag } from './entities';
import { clampSeverity, severityFromLabel } from './severity';
import { isPlausibleTime, parseTimeValue } from './time';
import { reject, type NormalizeContext, type NormalizeResult } from './types';
import { asArray, firstText, isObject, num, own, text, texts, type JsonObject } from './values';

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
 *
 * Plain ECS alerts from other tools (`event.kind: alert` with `rule.*`, see detect.ts) use the
 * same path with ECS fallbacks: `rule.name`/`rule.id`/`rule.uuid`/`rule.description`/
 * `rule.category`, `event.risk_score_norm`/`event.risk_score`/`event.severity`,
 * `event.reason` or `message`, `event.id`, `observer.product`/`observer.vendor`.
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
  relatedIp: dottedPath('related.ip'),
  eventId: dottedPath('event.id'),
  ecsReason: dottedPath('event.reason'),
  ecsRuleName: dottedPath('rule.name'),
  ecsRuleId: dottedPath('rule.id'),
  ecsRuleUuid: dottedPath('rule.uuid'),
  ecsRuleDescription: dottedPath('rule.description'),
  ecsRuleCategory: dottedPath('rule.category'),
  ecsSeverity: dottedPath('event.severity'),
  ecsRiskScoreNorm: dottedPath('event.risk_score_norm'),
  ecsRiskScore: dottedPath('event.risk_score'),
  message: dottedPath('message'),
  observerProduct: dottedPath('observer.product'),
  observerVendor: dottedPath('observer.vendor'),
} as const satisfies Record<string, DottedPath>;

const RISK_SCORE_PATHS = [
  P.riskScore,
  P.ruleRiskScore,
  P.signalRiskScore,
  P.ecsRiskScoreNorm,
  P.ecsRiskScore,
] as const;

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
  const time = elasticTime(doc);
  if ('reason' in time) return reject('elastic', '@timestamp', time.reason);
  const severity = elasticSeverity(doc);
  if ('reason' in severity) return reject('elastic', severity.field, severity.reason);

  const ruleName = firstText(
    get(doc, P.ruleName),
    get(doc, P.signalRuleName),
    get(doc, P.ecsRuleName),
  );
  const reason = boundedText(
    firstText(get(doc, P.reason), get(doc, P.signalReason), get(doc, P.ecsReason)),
  );
  const ruleDescription = boundedText(
    firstText(
      get(doc, P.ruleDescription),
      get(doc, P.signalRuleDescription),
      get(doc, P.ecsRuleDescription),
      get(doc, P.message),
    ),
  );
  return {
    ok: true,
    alert: buildAlert(context, 'elastic', original, {
      alertId:
        firstText(get(doc, P.uuid), own(record, '_id'), get(doc, P.eventId)) ??
        contentAlertId(original),
      observedAt: time.observedAt,
      product: isSecurityAlert(doc)
        ? 'Elastic Security'
        : (text(get(doc, P.observerProduct)) ?? 'Elastic'),
      vendor: isSecurityAlert(doc) ? 'Elastic' : (text(get(doc, P.observerVendor)) ?? 'Elastic'),
      ruleId:
        firstText(
          get(doc, P.ruleRuleId),
          get(doc, P.ruleUuid),
          get(doc, P.signalRuleId),
          get(doc, P.signalRuleUuid),
          get(doc, P.ecsRuleId),
          get(doc, P.ecsRuleUuid),
        ) ?? null,
      ruleName: ruleName ?? null,
      title: ruleName ?? reason ?? 'Elastic Security alert',
      description: reason ?? ruleDescription ?? null,
      severity: severity.value,
      severityLabel: severity.label,
      confidence: null,
      category: texts(get(doc, P.eventCategory))[0] ?? text(get(doc, P.ecsRuleCategory)) ?? null,
      attack: elasticAttack(doc),
      entities: elasticEntities(doc),
    }),
  };
}

/** A Kibana detection alert, as opposed to a plain ECS alert from another tool. */
const isSecurityAlert = (doc: JsonObject): boolean =>
  get(doc, P.uuid) !== undefined ||
  get(doc, P.ruleName) !== undefined ||
  get(doc, P.signalRuleName) !== undefined;

function elasticTime(doc: JsonObject): { observedAt: number } | { reason: string } {
  const timeValue =
    get(doc, P.start) ??
    get(doc, P.timestamp) ??
    get(doc, P.originalTime) ??
    get(doc, P.signalOriginalTime);
  if (timeValue === undefined || timeValue === null)
    return { reason: 'missing: every alert needs an event time' };
  const observedAt = parseTimeValue(timeValue);
  if (observedAt === undefined) return { reason: 'not an ISO 8601 time or an epoch number' };
  if (!isPlausibleTime(observedAt))
    return { reason: 'outside 1980..2100: probably a unit mistake' };
  return { observedAt };
}

type Severity =
  | { readonly value: number; readonly label: string }
  | { readonly field: string; readonly reason: string };

/**
 * Risk score 0-100 first (Kibana's, then ECS `event.risk_score_norm` and `event.risk_score`),
 * then a severity label (Kibana's, then ECS `event.severity` as text: a label, or a number
 * read as 0-100, since ECS leaves its scale to the source), else unknown (50).
 */
function elasticSeverity(doc: JsonObject): Severity {
  const label = firstText(
    get(doc, P.severity),
    get(doc, P.ruleSeverity),
    get(doc, P.signalSeverity),
    get(doc, P.ecsSeverity),
  );
  for (const path of RISK_SCORE_PATHS) {
    const riskScore = num(get(doc, path));
    if (riskScore === undefined) continue;
    if (riskScore < 0 || riskScore > 100)
      return { field: path.text, reason: `${riskScore} is outside 0-100` };
    return { value: clampSeverity(riskScore), label: label ?? String(riskScore) };
  }
  if (label === undefined) return { value: 50, label: 'unknown' };
  const mapped = severityFromLabel(label) ?? numericSeverity(label);
  if (mapped === undefined)
    return { field: 'kibana.alert.severity', reason: `unknown severity '${label.slice(0, 64)}'` };
  return { value: mapped, label };
}

function numericSeverity(label: string): number | undefined {
  const value = Number(label);
  return label.trim() !== '' && Number.isFinite(value) && value >= 0 && value <= 100
    ? clampSeverity(value)
    : undefined;
}

function elasticAttack(doc: JsonObject): AttackRefs {
  const attack = new AttackRefs();
  collectRuleThreat(get(doc, P.ruleThreat), attack);
  collectRuleThreat(get(doc, P.ruleParamsThreat), attack);
  collectRuleThreat(get(doc, P.signalThreat), attack);
  for (const id of texts(get(doc, P.threatTacticId))) attack.tactic(id);
  for (const name of texts(get(doc, P.threatTacticName))) attack.tactic(name);
  for (const id of texts(get(doc, P.threatTechniqueId))) attack.technique(id);
  for (const id of texts(get(doc, P.threatSubtechniqueId))) attack.technique(id);
  return attack;
}

function elasticEntities(doc: JsonObject): EntityBag {
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
  for (const v of texts(get(doc, P.relatedIp))) entities.ipIfAddress(v, 'source');
  return entities;
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
