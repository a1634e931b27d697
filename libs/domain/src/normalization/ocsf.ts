import { isObject, type IpRole, type JsonObject } from '@soc/contracts';
import { buildAlert, boundedText } from './alert-builder';
import { AttackRefs } from './attack';
import { contentAlertId } from './content-hash';
import { EntityBag } from './entities';
import { confidenceFromLabel, ocsfSeverity } from './severity';
import { epochToMs, isPlausibleTime, parseIso, parseTimeValue } from './time';
import { reject, type NormalizeContext, type NormalizeResult } from './types';
import { asArray, at, firstText, num, own, text, texts } from './values';

/**
 * OCSF Detection Finding (class_uid 2004) and Security Finding (2001). Both the 1.1+ layout
 * (`finding_info`, `finding_info.attacks`) and the 1.0 layout (`finding`, top-level `attacks`)
 * are read.
 *
 * - observedAt: `time` (epoch ms), else `time_dt`, else the finding's created/first-seen time.
 * - alertId: `finding_info.uid` (or `finding.uid`), else `metadata.uid`, else the content hash.
 * - confidence: a 0-100 `confidence` number (1.0) or `confidence_id` 1/2/3 -> 30/60/90.
 * - IPs from observables take their role from the observable name (`src`, `source`, `client`,
 *   `actor`, `attacker` -> source); an address with no stated direction is the affected
 *   asset's and gets `destination`. The same default applies to `device` addresses.
 */
export const OCSF_FINDING_CLASSES: ReadonlySet<number> = new Set([2001, 2004]);

export function normalizeOcsf(
  record: JsonObject,
  original: string,
  context: NormalizeContext,
): NormalizeResult {
  const classUid = num(own(record, 'class_uid'));
  if (classUid === undefined)
    return reject('ocsf', 'class_uid', 'missing: an OCSF event names its class');
  if (!OCSF_FINDING_CLASSES.has(classUid)) {
    return reject(
      'ocsf',
      'class_uid',
      `class ${classUid} is not a finding this normalizer accepts (2001 Security Finding, 2004 Detection Finding)`,
    );
  }
  const info = asObjectOr(own(record, 'finding_info'), own(record, 'finding'));

  const observedAt = ocsfTime(record, info);
  if (observedAt === undefined)
    return reject('ocsf', 'time', 'missing or unreadable: every alert needs an event time');
  if (!isPlausibleTime(observedAt))
    return reject('ocsf', 'time', 'outside 1980..2100: probably a unit mistake');

  const severityId = num(own(record, 'severity_id'));
  let severity = 50;
  let severityLabel = text(own(record, 'severity'));
  if (severityId !== undefined) {
    const mapped = ocsfSeverity(severityId);
    if (mapped === undefined)
      return reject('ocsf', 'severity_id', `${severityId} is not an OCSF severity id (0-6, 99)`);
    severity = mapped[0];
    severityLabel ??= mapped[1];
  }

  const analytic = asObjectOr(own(info, 'analytic'), own(record, 'analytic'));
  const metadataProduct = at(record, 'metadata', 'product');
  const description = boundedText(firstText(own(info, 'desc'), own(record, 'message')));
  const title =
    firstText(own(info, 'title'), own(record, 'message'), own(record, 'class_name')) ??
    'OCSF finding';
  const types = texts(own(info, 'types'));
  return {
    ok: true,
    alert: buildAlert(context, 'ocsf', original, {
      alertId:
        firstText(own(info, 'uid'), at(record, 'metadata', 'uid')) ?? contentAlertId(original),
      observedAt,
      product: text(own(metadataProduct, 'name')) ?? null,
      vendor: text(own(metadataProduct, 'vendor_name')) ?? null,
      ruleId: firstText(own(analytic, 'uid'), own(analytic, 'name')) ?? null,
      ruleName: text(own(analytic, 'name')) ?? null,
      title: boundedText(title, 1024) ?? title,
      description: description ?? null,
      severity,
      severityLabel: severityLabel ?? 'unknown',
      confidence: ocsfConfidence(record),
      category: types[0] ?? text(own(record, 'class_name')) ?? null,
      attack: ocsfAttack(record, info),
      entities: ocsfEntities(record),
    }),
  };
}

/** ATT&CK references of both layouts: `finding_info.attacks` (1.1+) and `attacks` (1.0). */
function ocsfAttack(record: JsonObject, info: JsonObject | undefined): AttackRefs {
  const attack = new AttackRefs();
  collectAttacks(own(info, 'attacks'), attack);
  collectAttacks(own(record, 'attacks'), attack);
  return attack;
}

function ocsfEntities(record: JsonObject): EntityBag {
  const entities = new EntityBag();
  for (const observable of asArray(own(record, 'observables')))
    collectObservable(observable, entities);
  collectDevice(own(record, 'device'), entities);
  collectActor(own(record, 'actor'), entities);
  collectEndpoint(own(record, 'src_endpoint'), 'source', entities);
  collectEndpoint(own(record, 'dst_endpoint'), 'destination', entities);
  collectProcess(own(record, 'process'), entities);
  collectFile(own(record, 'file'), entities);
  for (const evidence of asArray(own(record, 'evidences'))) collectEvidence(evidence, entities);
  for (const resource of asArray(own(record, 'resources'))) {
    const uid = text(own(resource, 'uid'));
    if (uid !== undefined) entities.hostOrIpOrResource(uid);
  }
  return entities;
}

function asObjectOr(first: unknown, second: unknown): JsonObject | undefined {
  if (isObject(first)) return first;
  return isObject(second) ? second : undefined;
}

function ocsfTime(record: JsonObject, info: JsonObject | undefined): number | undefined {
  const time = num(own(record, 'time'));
  if (time !== undefined) return epochToMs(time);
  const timeDt = text(own(record, 'time_dt'));
  if (timeDt !== undefined) return parseIso(timeDt);
  for (const key of FINDING_TIME_KEYS) {
    const value = own(info, key);
    if (value !== undefined && value !== null) return parseTimeValue(value);
  }
  return undefined;
}
const FINDING_TIME_KEYS = [
  'created_time',
  'created_time_dt',
  'first_seen_time',
  'first_seen_time_dt',
] as const;

function ocsfConfidence(record: JsonObject): number | null {
  const confidence = own(record, 'confidence');
  const score = typeof confidence === 'number' ? confidence : undefined;
  if (score !== undefined && score >= 0 && score <= 100) return score;
  const id = num(own(record, 'confidence_id'));
  if (id === 1) return 30;
  if (id === 2) return 60;
  if (id === 3) return 90;
  const label = typeof confidence === 'string' ? confidenceFromLabel(confidence) : undefined;
  return label ?? null;
}

/** `attacks[]`: `tactic {uid, name}` (or a `tactics[]` list) and `technique`/`sub_technique`. */
function collectAttacks(value: unknown, attack: AttackRefs): void {
  for (const item of asArray(value)) {
    const tactic = own(item, 'tactic');
    attack.tactic(firstText(own(tactic, 'uid'), own(tactic, 'name')));
    for (const t of asArray(own(item, 'tactics')))
      attack.tactic(firstText(own(t, 'uid'), own(t, 'name')));
    attack.technique(text(at(item, 'technique', 'uid')));
    attack.technique(text(at(item, 'sub_technique', 'uid')));
  }
}

/** OCSF observable type_id (and its caption, when the id is absent). */
const OBSERVABLE_TYPES: ReadonlyMap<number | string, string> = new Map<number | string, string>([
  [1, 'host'],
  ['hostname', 'host'],
  [2, 'ip'],
  ['ip address', 'ip'],
  [4, 'user'],
  ['user name', 'user'],
  [5, 'email'],
  ['email address', 'email'],
  [6, 'url'],
  ['url string', 'url'],
  [8, 'hash'],
  ['hash', 'hash'],
  [9, 'process'],
  ['process name', 'process'],
  [10, 'resource'],
  ['resource uid', 'resource'],
]);

function collectObservable(observable: unknown, entities: EntityBag): void {
  const value = own(observable, 'value');
  if (typeof value !== 'string' && typeof value !== 'number') return;
  const typeId = num(own(observable, 'type_id'));
  const caption = text(own(observable, 'type'))?.toLowerCase();
  const kind =
    (typeId !== undefined ? OBSERVABLE_TYPES.get(typeId) : undefined) ??
    (caption !== undefined ? OBSERVABLE_TYPES.get(caption) : undefined);
  const name = text(own(observable, 'name')) ?? '';
  switch (kind) {
    case 'host':
      entities.hostOrIp(value, roleFromName(name));
      return;
    case 'ip':
      entities.ip(value, roleFromName(name));
      return;
    case 'user':
      entities.user(value);
      return;
    case 'email':
      entities.email(value);
      return;
    case 'url':
      entities.url(value);
      return;
    case 'hash':
      entities.hash(value);
      return;
    case 'process':
      entities.process(value);
      return;
    case 'resource':
      entities.hostOrIpOrResource(value);
      return;
    default:
      // An untyped ("Other") observable that holds an address is still an address.
      entities.ipIfAddress(value, roleFromName(name));
  }
}

const SOURCE_HINTS = ['src', 'source', 'client', 'actor', 'attacker'] as const;

function roleFromName(name: string): IpRole {
  const lower = name.toLowerCase();
  for (const hint of SOURCE_HINTS) if (lower.includes(hint)) return 'source';
  return 'destination';
}

function collectDevice(device: unknown, entities: EntityBag): void {
  if (!isObject(device)) return;
  entities.host(own(device, 'hostname'));
  entities.host(own(device, 'name'));
  entities.ip(own(device, 'ip'), 'destination');
  collectUser(own(device, 'owner'), entities);
}

function collectUser(user: unknown, entities: EntityBag): void {
  if (!isObject(user)) return;
  entities.user(own(user, 'name'), own(user, 'domain'));
  entities.email(own(user, 'email_addr'));
}

function collectActor(actor: unknown, entities: EntityBag): void {
  if (!isObject(actor)) return;
  collectUser(own(actor, 'user'), entities);
  collectProcess(own(actor, 'process'), entities);
}

function collectEndpoint(endpoint: unknown, role: IpRole, entities: EntityBag): void {
  if (!isObject(endpoint)) return;
  entities.ip(own(endpoint, 'ip'), role);
  entities.hostOrIp(own(endpoint, 'hostname'), role);
  entities.domain(own(endpoint, 'domain'));
}

function collectProcess(process: unknown, entities: EntityBag): void {
  if (!isObject(process)) return;
  entities.process(own(process, 'name'));
  collectFile(own(process, 'file'), entities);
  collectUser(own(process, 'user'), entities);
}

function collectFile(file: unknown, entities: EntityBag): void {
  if (!isObject(file)) return;
  for (const fingerprint of asArray(own(file, 'hashes'))) entities.hash(own(fingerprint, 'value'));
  for (const fingerprint of asArray(own(file, 'fingerprints')))
    entities.hash(own(fingerprint, 'value'));
}

function collectEvidence(evidence: unknown, entities: EntityBag): void {
  if (!isObject(evidence)) return;
  collectActor(own(evidence, 'actor'), entities);
  collectProcess(own(evidence, 'process'), entities);
  collectFile(own(evidence, 'file'), entities);
  collectUser(own(evidence, 'user'), entities);
  collectDevice(own(evidence, 'device'), entities);
  collectEndpoint(own(evidence, 'src_endpoint'), 'source', entities);
  collectEndpoint(own(evidence, 'dst_endpoint'), 'destination', entities);
  entities.url(at(evidence, 'url', 'url_string'));
  entities.domainOrIp(at(evidence, 'query', 'hostname'), 'destination');
}
