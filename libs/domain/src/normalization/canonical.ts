import {
  ALERT_FORMATS,
  ENTITY_TYPES,
  type AlertEntity,
  type AlertFormat,
  type CanonicalAlert,
  type EntityType,
  type HashAlgorithm,
  type IpRole,
  type ThreatIntelVerdict,
  type ThreatIntelVerdictLabel,
} from '@soc/contracts';
import { hashAlgorithm } from './entities';
import { isPlausibleTime } from './time';
import { reject, type NormalizeContext, type NormalizeResult } from './types';
import { isObject, own, type JsonObject } from './values';

/**
 * An already-canonical alert: every field is checked against the contract, and the first
 * violation is reported with its path (`entities[2].hashAlgorithm`). Unknown fields are not an
 * error (a newer producer may add optional ones); they are not carried over either, so what
 * leaves this function is exactly a `CanonicalAlert`.
 *
 * The tenant comes from the caller, as for every format: a record claiming another tenant is
 * re-homed to the caller's (`tenantId` must still be a non-empty string). Everything else is
 * kept as sent, `ingestedAt` and `original` included: they describe the first ingest.
 */
export function normalizeCanonical(record: JsonObject, context: NormalizeContext): NormalizeResult {
  const v = new Validator(record);
  v.string('tenantId');
  const alert: CanonicalAlert = {
    tenantId: context.tenantId,
    alertId: v.string('alertId'),
    sourceSystem: v.string('sourceSystem'),
    observedAt: v.time('observedAt'),
    ingestedAt: v.time('ingestedAt'),
    observedAtFromArrival: v.flag('observedAtFromArrival'),
    product: v.nullableString('product'),
    vendor: v.nullableString('vendor'),
    ruleId: v.nullableString('ruleId'),
    ruleName: v.nullableString('ruleName'),
    title: v.string('title'),
    description: v.nullableString('description'),
    severity: v.percent('severity'),
    severityLabel: v.string('severityLabel'),
    confidence: v.nullablePercent('confidence'),
    category: v.nullableString('category'),
    tactics: v.strings('tactics'),
    techniques: v.strings('techniques'),
    entities: v.entities('entities'),
    threatIntel: v.verdicts('threatIntel'),
    format: v.format('format'),
    original: v.string('original', true),
  };
  const failure = v.failure;
  return failure === undefined
    ? { ok: true, alert }
    : reject('canonical', failure.field, failure.reason);
}

const FORMATS: ReadonlySet<string> = new Set(ALERT_FORMATS);
const ENTITY_TYPE_SET: ReadonlySet<string> = new Set(ENTITY_TYPES);
const IP_ROLES: ReadonlySet<string> = new Set<IpRole>(['source', 'destination']);
const HASH_ALGORITHMS: ReadonlySet<string> = new Set<HashAlgorithm>(['md5', 'sha1', 'sha256']);
const VERDICTS: ReadonlySet<string> = new Set<ThreatIntelVerdictLabel>([
  'malicious',
  'suspicious',
  'benign',
  'unknown',
]);

/** Collects the first violation; later checks still return placeholders so the code stays flat. */
class Validator {
  failure: { readonly field: string; readonly reason: string } | undefined;

  constructor(private readonly record: JsonObject) {}

  private fail<T>(field: string, reason: string, placeholder: T): T {
    this.failure ??= { field, reason };
    return placeholder;
  }

  string(field: string, allowEmpty = false, value: unknown = own(this.record, field)): string {
    if (typeof value !== 'string')
      return this.fail(field, value === undefined ? 'missing' : 'expected a string', '');
    if (!allowEmpty && value.trim().length === 0) return this.fail(field, 'must not be blank', '');
    return value;
  }

  nullableString(field: string, value: unknown = own(this.record, field)): string | null {
    if (value === null) return null;
    if (value === undefined) return this.fail(field, 'missing (use null for "absent")', null);
    return this.string(field, false, value);
  }

  time(field: string): number {
    const value = own(this.record, field);
    if (typeof value !== 'number' || !Number.isInteger(value))
      return this.fail(field, 'expected epoch milliseconds (an integer)', 0);
    if (!isPlausibleTime(value))
      return this.fail(field, 'outside 1980..2100: probably a unit mistake', 0);
    return value;
  }

  /** An optional boolean: absent (an alert written before the field existed) is false. */
  flag(field: string): boolean {
    const value = own(this.record, field);
    if (value === undefined) return false;
    if (typeof value !== 'boolean') return this.fail(field, 'expected true or false', false);
    return value;
  }

  percent(field: string, value: unknown = own(this.record, field)): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 100) {
      return this.fail(field, 'expected an integer 0-100', 0);
    }
    return value;
  }

  nullablePercent(field: string): number | null {
    const value = own(this.record, field);
    if (value === null) return null;
    if (value === undefined) return this.fail(field, 'missing (use null for "absent")', null);
    return this.percent(field, value);
  }

  strings(field: string): readonly string[] {
    const value = own(this.record, field);
    if (!Array.isArray(value)) return this.fail(field, 'expected an array of strings', []);
    for (let i = 0; i < value.length; i += 1) {
      if (typeof value[i] !== 'string' || (value[i] as string).trim().length === 0) {
        return this.fail(`${field}[${i}]`, 'expected a non-blank string', []);
      }
    }
    return value as string[];
  }

  format(field: string): AlertFormat {
    const value = own(this.record, field);
    if (typeof value !== 'string' || !FORMATS.has(value)) {
      return this.fail(field, `expected one of ${ALERT_FORMATS.join(', ')}`, 'canonical');
    }
    return value as AlertFormat;
  }

  entities(field: string): readonly AlertEntity[] {
    const value = own(this.record, field);
    if (!Array.isArray(value)) return this.fail(field, 'expected an array of entities', []);
    const out: AlertEntity[] = [];
    for (let i = 0; i < value.length; i += 1) {
      const entity = this.entity(`${field}[${i}]`, value[i]);
      if (entity === undefined) return [];
      out.push(entity);
    }
    return out;
  }

  private entity(path: string, value: unknown): AlertEntity | undefined {
    if (!isObject(value)) return this.fail(path, 'expected an object', undefined);
    const type = own(value, 'type');
    if (typeof type !== 'string' || !ENTITY_TYPE_SET.has(type)) {
      return this.fail(`${path}.type`, `expected one of ${ENTITY_TYPES.join(', ')}`, undefined);
    }
    const entityValue = own(value, 'value');
    if (typeof entityValue !== 'string' || entityValue.trim().length === 0)
      return this.fail(`${path}.value`, 'expected a non-blank string', undefined);
    const role = own(value, 'role');
    if (role !== null && (typeof role !== 'string' || !IP_ROLES.has(role))) {
      return this.fail(`${path}.role`, 'expected source, destination or null', undefined);
    }
    if (type === 'ip' && role === null)
      return this.fail(`${path}.role`, 'an ip entity needs a role', undefined);
    if (type !== 'ip' && role !== null)
      return this.fail(`${path}.role`, 'only ip entities have a role', undefined);
    const algorithm = own(value, 'hashAlgorithm');
    if (algorithm !== null && (typeof algorithm !== 'string' || !HASH_ALGORITHMS.has(algorithm))) {
      return this.fail(`${path}.hashAlgorithm`, 'expected md5, sha1, sha256 or null', undefined);
    }
    if (type === 'file_hash') {
      if (algorithm === null)
        return this.fail(
          `${path}.hashAlgorithm`,
          'a file_hash entity needs its algorithm',
          undefined,
        );
      if (hashAlgorithm(entityValue) !== algorithm)
        return this.fail(`${path}.value`, `not a hex ${String(algorithm)} digest`, undefined);
    } else if (algorithm !== null) {
      return this.fail(
        `${path}.hashAlgorithm`,
        'only file_hash entities have an algorithm',
        undefined,
      );
    }
    return {
      type: type as EntityType,
      value: entityValue,
      role: role as IpRole | null,
      hashAlgorithm: algorithm as HashAlgorithm | null,
    };
  }

  verdicts(field: string): readonly ThreatIntelVerdict[] {
    const value = own(this.record, field);
    if (!Array.isArray(value)) return this.fail(field, 'expected an array of verdicts', []);
    const out: ThreatIntelVerdict[] = [];
    for (let i = 0; i < value.length; i += 1) {
      const path = `${field}[${i}]`;
      const item: unknown = value[i];
      if (!isObject(item)) return this.fail(path, 'expected an object', []);
      const indicator = this.string(`${path}.indicator`, false, own(item, 'indicator'));
      const indicatorType = own(item, 'indicatorType');
      if (typeof indicatorType !== 'string' || !ENTITY_TYPE_SET.has(indicatorType)) {
        return this.fail(`${path}.indicatorType`, `expected one of ${ENTITY_TYPES.join(', ')}`, []);
      }
      const source = this.string(`${path}.source`, false, own(item, 'source'));
      const verdict = own(item, 'verdict');
      if (typeof verdict !== 'string' || !VERDICTS.has(verdict))
        return this.fail(
          `${path}.verdict`,
          'expected malicious, suspicious, benign or unknown',
          [],
        );
      const score = this.percent(`${path}.score`, own(item, 'score'));
      out.push({
        indicator,
        indicatorType: indicatorType as EntityType,
        source,
        verdict: verdict as ThreatIntelVerdictLabel,
        score,
      });
    }
    return out;
  }
}
