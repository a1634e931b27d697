import type { JsonObject } from '@soc/contracts';
import { buildAlert, boundedText } from './alert-builder';
import { AttackRefs, TACTIC_NAMES } from './attack';
import { contentAlertId } from './content-hash';
import { EntityBag } from './entities';
import { severityFromLabel } from './severity';
import { isPlausibleTime, parseTimeValue } from './time';
import { reject, type NormalizeContext, type NormalizeResult } from './types';
import { asArray, firstText, own, text, texts } from './values';

/**
 * Microsoft Graph security alerts (`/security/alerts_v2`: Defender XDR, Sentinel).
 *
 * - observedAt: `createdDateTime` (when the alert was raised), else `firstActivityDateTime`.
 * - alertId: `id`, else `providerAlertId`, else the content hash.
 * - ruleId: `detectorId`; ruleName and title: `title`; product: `serviceSource`; the
 *   `detectionSource` is appended to the description.
 * - severity: informational/low/medium/high/unknown labels.
 * - ATT&CK: `mitreTechniques`; `category` is an ATT&CK tactic written without spaces
 *   (`DefenseEvasion`) and is also kept as that tactic's name.
 * - Evidence by `@odata.type`: device (`deviceDnsName`, `ipInterfaces`, `loggedOnUsers`),
 *   user (`userAccount`), ip (`ipAddress`; role source when the evidence roles say attacker or
 *   source, else destination), file (`fileDetails` hashes), process (`imageFile`, its user),
 *   url (`url`), mailbox (`primaryAddress`, `userAccount`), analyzed message (sender IP,
 *   addresses).
 */
export function normalizeMsGraph(
  record: JsonObject,
  original: string,
  context: NormalizeContext,
): NormalizeResult {
  const created = own(record, 'createdDateTime');
  const rawTime =
    created !== undefined && created !== null ? created : own(record, 'firstActivityDateTime');
  if (rawTime === undefined || rawTime === null)
    return reject('ms-graph', 'createdDateTime', 'missing: every alert needs an event time');
  const observedAt = parseTimeValue(rawTime);
  if (observedAt === undefined)
    return reject('ms-graph', 'createdDateTime', 'not an ISO 8601 time');
  if (!isPlausibleTime(observedAt))
    return reject('ms-graph', 'createdDateTime', 'outside 1980..2100: probably a unit mistake');

  const label = text(own(record, 'severity'));
  let severity = 50;
  if (label !== undefined) {
    const mapped = severityFromLabel(label);
    if (mapped === undefined)
      return reject('ms-graph', 'severity', `unknown severity '${label.slice(0, 32)}'`);
    severity = mapped;
  }

  const category = text(own(record, 'category'));
  const entities = new EntityBag();
  for (const evidence of asArray(own(record, 'evidence'))) collectEvidence(evidence, entities);
  const title = text(own(record, 'title'));
  return {
    ok: true,
    alert: buildAlert(context, 'ms-graph', original, {
      alertId:
        firstText(own(record, 'id'), own(record, 'providerAlertId')) ?? contentAlertId(original),
      observedAt,
      product: text(own(record, 'serviceSource')) ?? null,
      vendor: 'Microsoft',
      ruleId: text(own(record, 'detectorId')) ?? null,
      ruleName: title ?? null,
      title: title ?? 'Microsoft security alert',
      description: boundedText(graphDescription(record)) ?? null,
      severity,
      severityLabel: label ?? 'unknown',
      confidence: null,
      category: category ?? null,
      attack: graphAttack(record, category),
      entities,
    }),
  };
}

/** `mitreTechniques`, and the tactic a `category` such as `DefenseEvasion` names. */
function graphAttack(record: JsonObject, category: string | undefined): AttackRefs {
  const attack = new AttackRefs();
  for (const v of texts(own(record, 'mitreTechniques'))) attack.technique(v);
  const tactic =
    category === undefined
      ? undefined
      : TACTIC_NAMES.get(category.toLowerCase().replace(/[\s_-]/g, ''));
  attack.tactic(tactic);
  return attack;
}

function graphDescription(record: JsonObject): string | undefined {
  const detectionSource = text(own(record, 'detectionSource'));
  const body = text(own(record, 'description'));
  return detectionSource === undefined
    ? body
    : `${body === undefined ? '' : `${body}\n`}Detection source: ${detectionSource}`;
}

const EVIDENCE_PREFIX = '#microsoft.graph.security.';

function collectEvidence(evidence: unknown, entities: EntityBag): void {
  const odataType = text(own(evidence, '@odata.type'));
  if (odataType === undefined) return;
  const kind = odataType.startsWith(EVIDENCE_PREFIX)
    ? odataType.slice(EVIDENCE_PREFIX.length)
    : odataType;
  switch (kind) {
    case 'deviceEvidence':
      entities.host(own(evidence, 'deviceDnsName'));
      for (const ip of texts(own(evidence, 'ipInterfaces'))) entities.ip(ip, 'destination');
      for (const user of asArray(own(evidence, 'loggedOnUsers')))
        entities.user(own(user, 'accountName'), own(user, 'domainName'));
      return;
    case 'userEvidence':
      collectAccount(own(evidence, 'userAccount'), entities);
      return;
    case 'ipEvidence': {
      let role: 'source' | 'destination' = 'destination';
      for (const r of texts(own(evidence, 'roles'))) {
        const lower = r.toLowerCase();
        if (lower === 'attacker' || lower === 'source') role = 'source';
      }
      entities.ip(own(evidence, 'ipAddress'), role);
      return;
    }
    case 'fileEvidence':
      collectFileDetails(own(evidence, 'fileDetails'), entities);
      return;
    case 'processEvidence': {
      const image = own(evidence, 'imageFile');
      entities.process(own(image, 'fileName'));
      collectFileDetails(image, entities);
      collectAccount(own(evidence, 'userAccount'), entities);
      return;
    }
    case 'urlEvidence':
      entities.url(own(evidence, 'url'));
      return;
    case 'mailboxEvidence':
      entities.email(own(evidence, 'primaryAddress'));
      collectAccount(own(evidence, 'userAccount'), entities);
      return;
    case 'analyzedMessageEvidence':
      entities.ip(own(evidence, 'senderIp'), 'source');
      entities.email(own(evidence, 'recipientEmailAddress'));
      entities.email(own(evidence, 'p1Sender'));
      entities.email(own(evidence, 'p2Sender'));
      return;
    default:
  }
}

/** A Graph `userAccount`: `domain\name` when both are known, else the UPN, else the name. */
function collectAccount(account: unknown, entities: EntityBag): void {
  const name = text(own(account, 'accountName'));
  const domain = text(own(account, 'domainName'));
  if (name !== undefined) entities.user(name, domain);
  else entities.user(own(account, 'userPrincipalName'));
}

function collectFileDetails(details: unknown, entities: EntityBag): void {
  entities.hash(own(details, 'sha256'));
  entities.hash(own(details, 'sha1'));
  entities.hash(own(details, 'md5'));
}
