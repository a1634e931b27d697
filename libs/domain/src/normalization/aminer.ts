import { buildAlert, boundedText } from './alert-builder';
import { AttackRefs } from './attack';
import { contentAlertId } from './content-hash';
import { EntityBag } from './entities';
import { isPlausibleTime, parseTimeValue } from './time';
import { reject, type NormalizeContext, type NormalizeResult } from './types';
import { asArray, firstText, isObject, own, text, texts, type JsonObject } from './values';

/**
 * AMiner (logdata-anomaly-miner) anomaly alerts as its JsonConverterHandler writes them:
 * `{AnalysisComponent: {AnalysisComponentIdentifier, AnalysisComponentType,
 * AnalysisComponentName, Message, PersistenceFileName, TrainingMode, AffectedLogAtomPaths,
 * AffectedLogAtomValues, LogResource}, LogData: {RawLogData: [...], Timestamps: [...],
 * DetectionTimestamp, LogLinesCount, AnnotatedMatchElement}, AMiner: {ID}}`.
 *
 * - observedAt: `LogData.Timestamps[0]` (the anomalous log line's time, epoch seconds with
 *   a fraction), else `LogData.DetectionTimestamp` (when the detector fired).
 * - alertId: the content hash: AMiner gives an alert no id of its own.
 * - ruleId/ruleName: `AnalysisComponentName` (the detector's configured id), else
 *   `<AnalysisComponentType>#<AnalysisComponentIdentifier>`; category: the detector type.
 * - title: `<name>: <Message>`; description: the raw log lines (bounded).
 * - severity: AMiner grades no anomaly, so unknown (50).
 * - Entities: values of parser paths whose last segment names an address, a host or a user
 *   (`/model/client_ip` -> ip, `/model/user` -> user), from `AnnotatedMatchElement` and the
 *   affected paths and values; an address is the source unless its name says destination
 *   or server.
 */
export function normalizeAminer(
  record: JsonObject,
  original: string,
  context: NormalizeContext,
): NormalizeResult {
  const component = own(record, 'AnalysisComponent');
  if (!isObject(component))
    return reject('aminer', 'AnalysisComponent', 'missing: an AMiner alert names its detector');
  const logData = own(record, 'LogData');
  if (!isObject(logData))
    return reject('aminer', 'LogData', 'missing: an AMiner alert carries its log data');

  const time = aminerTime(logData);
  if ('reason' in time) return reject('aminer', time.field, time.reason);

  const type = text(own(component, 'AnalysisComponentType'));
  const name = text(own(component, 'AnalysisComponentName'));
  const identifier = text(own(component, 'AnalysisComponentIdentifier'));
  const ruleId = name ?? (type === undefined ? undefined : `${type}#${identifier ?? '?'}`);
  const message = text(own(component, 'Message'));
  const ruleLabel = name ?? type;
  // Configured names often end in a full stop ("AMiner: New event type."); the title adds the message.
  const titleHead = ruleLabel?.replace(/[.:\s]+$/, '');
  return {
    ok: true,
    alert: buildAlert(context, 'aminer', original, {
      alertId: contentAlertId(original),
      observedAt: time.observedAt,
      product: 'AMiner',
      vendor: 'AIT',
      ruleId: ruleId ?? null,
      ruleName: ruleLabel ?? null,
      title:
        titleHead !== undefined && message !== undefined
          ? `${titleHead}: ${message}`
          : (message ?? ruleLabel ?? 'AMiner anomaly'),
      description: boundedText(texts(own(logData, 'RawLogData')).join('\n') || undefined) ?? null,
      severity: 50,
      severityLabel: 'unknown',
      confidence: null,
      category: type ?? null,
      attack: new AttackRefs(),
      entities: aminerEntities(component, logData),
    }),
  };
}

type AminerTime =
  { readonly observedAt: number } | { readonly field: string; readonly reason: string };

function aminerTime(logData: JsonObject): AminerTime {
  const first = asArray(own(logData, 'Timestamps'))[0];
  const field = first === undefined ? 'LogData.DetectionTimestamp' : 'LogData.Timestamps';
  const value = first ?? own(logData, 'DetectionTimestamp');
  if (value === undefined || value === null)
    return { field: 'LogData.Timestamps', reason: 'missing: every alert needs an event time' };
  // Epoch seconds with two decimals: rounding keeps 1642723347.23 at ...347230 ms.
  const observedAt =
    typeof value === 'number' && value > 0 && value < 1e11
      ? Math.round(value * 1000)
      : parseTimeValue(value);
  if (observedAt === undefined) return { field, reason: 'not an epoch number or an ISO 8601 time' };
  if (!isPlausibleTime(observedAt))
    return { field, reason: 'outside 1980..2100: probably a unit mistake' };
  return { observedAt };
}

const IP_SEGMENT = /(^|_)(ip|ipaddr|ip_address|addr|address)$/;
// The anomalous line is usually about the peer that caused it (a client, a query's sender).
const DESTINATION_HINT = /(dst|dest|destination|server|local)/;
const HOST_SEGMENT = /(^|_)(host|hostname|server_name|fqdn)$/;
const USER_SEGMENT = /(^|_)(user|username|user_name|login|account)$/;

function aminerEntities(component: JsonObject, logData: JsonObject): EntityBag {
  const entities = new EntityBag();
  const annotated = own(logData, 'AnnotatedMatchElement');
  if (isObject(annotated)) {
    for (const path of Object.keys(annotated)) addPathValue(entities, path, annotated[path]);
  }
  const paths = asArray(own(component, 'AffectedLogAtomPaths'));
  const values = asArray(own(component, 'AffectedLogAtomValues'));
  paths.forEach((path, i) => {
    if (typeof path === 'string') addPathValue(entities, path, values[i]);
  });
  return entities;
}

function addPathValue(entities: EntityBag, path: string, value: unknown): void {
  const segment = (path.split('/').pop() ?? '').toLowerCase();
  const v = firstText(value);
  if (v === undefined) return;
  if (IP_SEGMENT.test(segment))
    entities.ipIfAddress(v, DESTINATION_HINT.test(segment) ? 'destination' : 'source');
  else if (HOST_SEGMENT.test(segment)) entities.hostOrIp(v, 'destination');
  else if (USER_SEGMENT.test(segment)) entities.user(v);
}
