import type { CanonicalAlert, JsonObject } from '@soc/contracts';
import { buildAlert, boundedText } from './alert-builder';
import { AttackRefs } from './attack';
import { contentAlertId } from './content-hash';
import { EntityBag } from './entities';
import { clampSeverity, severityFromLabel } from './severity';
import { isPlausibleTime, parseTimeValue } from './time';
import { reject, type NormalizeContext, type NormalizeResult } from './types';
import { firstText, num, own, text } from './values';

/**
 * The original simple JSON alert: `{"id", "severity", "description", "source_ip",
 * "target_user", "timestamp"}`. `severity` is a label (`"high"`) or a number: 0-10 is read on a
 * ten-point scale (x10), (10, 100] as already 0-100. An optional `title` wins over the
 * description as the title.
 */
export function normalizeSimpleJson(
  record: JsonObject,
  original: string,
  context: NormalizeContext,
): NormalizeResult {
  const rawTime = own(record, 'timestamp');
  if (rawTime === undefined || rawTime === null || rawTime === '') {
    return reject('simple-json', 'timestamp', 'missing: every alert needs an event time');
  }
  const observedAt = parseTimeValue(rawTime);
  if (observedAt === undefined)
    return reject('simple-json', 'timestamp', 'not an ISO 8601 time or an epoch number');
  if (!isPlausibleTime(observedAt))
    return reject('simple-json', 'timestamp', 'outside 1980..2100: probably a unit mistake');

  const severity = simpleSeverity(own(record, 'severity'));
  if (typeof severity === 'string') return reject('simple-json', 'severity', severity);

  const description = boundedText(text(own(record, 'description')));
  const id = text(own(record, 'id'));
  const title =
    firstText(own(record, 'title'), description) ??
    (id === undefined ? 'Untitled alert' : `Alert ${id}`);

  const entities = new EntityBag();
  entities.ip(own(record, 'source_ip'), 'source');
  entities.ip(own(record, 'destination_ip'), 'destination');
  entities.user(own(record, 'target_user'));
  entities.host(own(record, 'host'));

  const confidence = num(own(record, 'confidence'));
  const alert: CanonicalAlert = buildAlert(context, 'simple-json', original, {
    alertId: id ?? contentAlertId(original),
    observedAt,
    product: null,
    vendor: null,
    ruleId: text(own(record, 'rule_id')) ?? null,
    ruleName: text(own(record, 'rule')) ?? null,
    title,
    description: description ?? null,
    severity: severity.value,
    severityLabel: severity.label,
    confidence:
      confidence !== undefined && confidence >= 0 && confidence <= 100 ? confidence : null,
    category: text(own(record, 'category')) ?? null,
    attack: new AttackRefs(),
    entities,
  });
  return { ok: true, alert };
}

const UNKNOWN_SEVERITY = { value: 50, label: 'unknown' } as const;

function simpleSeverity(
  value: unknown,
): { readonly value: number; readonly label: string } | string {
  // An absent severity is the same as an unknown one (see severity.ts); a malformed one is not.
  if (value === undefined || value === null || value === '') return UNKNOWN_SEVERITY;
  const n = num(value);
  if (n !== undefined) {
    if (n < 0 || n > 100) return `number ${n} is outside 0-10 and 0-100`;
    return {
      value: n <= 10 ? clampSeverity(n * 10) : clampSeverity(n),
      label: String(value).trim(),
    };
  }
  if (typeof value === 'string') {
    const mapped = severityFromLabel(value);
    if (mapped === undefined) return `unknown severity label '${value.slice(0, 64)}'`;
    return { value: mapped, label: value.trim() };
  }
  return 'expected a label or a number';
}
