import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import {
  ENTITY_TYPES,
  HASH_ALGORITHMS,
  IP_ROLES,
  THREAT_INTEL_VERDICT_LABELS,
  isNumber,
  isObject,
  isOneOf,
  isString,
  type AlertEntity,
  type CanonicalAlert,
  type ThreatIntelVerdict,
} from '@soc/contracts';
import {
  parseCorrelationConfig,
  type AlertLabel,
  type CorrelationConfig,
  type ConfigFieldError,
} from '@soc/domain';

const orNull = <T>(value: unknown, check: (v: unknown) => v is T): T | null | undefined =>
  value === null ? null : check(value) ? value : undefined;

function entityOf(value: unknown): AlertEntity | undefined {
  if (!isObject(value)) return undefined;
  const { type, value: text } = value;
  const role = value['role'] ?? null;
  const hashAlgorithm = value['hashAlgorithm'] ?? null;
  if (!isOneOf(ENTITY_TYPES, type) || !isString(text)) return undefined;
  if (role !== null && !isOneOf(IP_ROLES, role)) return undefined;
  if (hashAlgorithm !== null && !isOneOf(HASH_ALGORITHMS, hashAlgorithm)) return undefined;
  return { type, value: text, role, hashAlgorithm };
}

function verdictOf(value: unknown): ThreatIntelVerdict | undefined {
  if (!isObject(value)) return undefined;
  const { indicator, indicatorType, source, verdict, score } = value;
  if (!isString(indicator) || !isOneOf(ENTITY_TYPES, indicatorType) || !isString(source))
    return undefined;
  if (!isOneOf(THREAT_INTEL_VERDICT_LABELS, verdict) || !isNumber(score)) return undefined;
  return { indicator, indicatorType, source, verdict, score };
}

function listOf<T>(value: unknown, item: (v: unknown) => T | undefined): T[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const items: T[] = [];
  for (const element of value) {
    const parsed = item(element);
    if (parsed === undefined) return undefined;
    items.push(parsed);
  }
  return items;
}

/**
 * The record as a canonical alert when it already has that shape (the tenant it names is
 * kept, unlike the normalizer, which re-homes records to the caller's tenant); undefined
 * otherwise. Extra fields (a `label`) are left out.
 */
export function asCanonicalAlert(record: unknown): CanonicalAlert | undefined {
  if (!isObject(record)) return undefined;
  const r = record;
  const product = orNull(r['product'], isString);
  const vendor = orNull(r['vendor'], isString);
  const ruleId = orNull(r['ruleId'], isString);
  const ruleName = orNull(r['ruleName'], isString);
  const description = orNull(r['description'], isString);
  const confidence = orNull(r['confidence'], isNumber);
  const category = orNull(r['category'], isString);
  const tactics = listOf(r['tactics'], (v) => (isString(v) ? v : undefined));
  const techniques = listOf(r['techniques'], (v) => (isString(v) ? v : undefined));
  const entities = listOf(r['entities'], entityOf);
  const threatIntel = listOf(r['threatIntel'], verdictOf);
  if (
    !isString(r['tenantId']) ||
    r['tenantId'].length === 0 ||
    !isString(r['alertId']) ||
    !isString(r['sourceSystem']) ||
    !isNumber(r['observedAt']) ||
    !isNumber(r['ingestedAt']) ||
    !isString(r['title']) ||
    !isNumber(r['severity']) ||
    !isString(r['severityLabel']) ||
    !isString(r['format']) ||
    !isString(r['original']) ||
    product === undefined ||
    vendor === undefined ||
    ruleId === undefined ||
    ruleName === undefined ||
    description === undefined ||
    confidence === undefined ||
    category === undefined ||
    tactics === undefined ||
    techniques === undefined ||
    entities === undefined ||
    threatIntel === undefined
  ) {
    return undefined;
  }
  return {
    tenantId: r['tenantId'],
    alertId: r['alertId'],
    sourceSystem: r['sourceSystem'],
    observedAt: r['observedAt'],
    ingestedAt: r['ingestedAt'],
    product,
    vendor,
    ruleId,
    ruleName,
    title: r['title'],
    description,
    severity: r['severity'],
    severityLabel: r['severityLabel'],
    confidence,
    category,
    tactics,
    techniques,
    entities,
    threatIntel,
    format: r['format'] as CanonicalAlert['format'],
    original: r['original'],
  };
}

export function asLabel(value: unknown): AlertLabel | undefined {
  if (!isObject(value)) return undefined;
  const { group, verdict } = value;
  if (group !== null && !isString(group)) return undefined;
  if (verdict !== 'tp' && verdict !== 'fp' && verdict !== 'benign') return undefined;
  return { group, verdict };
}

export const parseJsonLine = (line: string): unknown => {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
};

/**
 * Lines of a file, or of the verb's standard input when no path is given. A path ending in
 * `.gz` is decompressed as it streams, so a shared data set is read without unpacking it.
 */
export function linesOf(
  path: string | undefined,
  stdin: () => AsyncIterable<string>,
): AsyncIterable<string> {
  if (path === undefined) return stdin();
  const file = createReadStream(path);
  const input = path.endsWith('.gz') ? file.pipe(createGunzip()) : file;
  // A failed open or a corrupt archive rejects the line iteration instead of hanging it.
  if (input !== file) file.on('error', (error) => input.destroy(error));
  input.setEncoding('utf8');
  return createInterface({ input, crlfDelay: Infinity });
}

export type ConfigLoad =
  | { readonly ok: true; readonly config: CorrelationConfig }
  | { readonly ok: false; readonly error: string; readonly errors?: readonly ConfigFieldError[] };

/** Reads and validates a correlation config file (JSON); no path means the defaults. */
export async function loadCorrelationConfig(path: string | undefined): Promise<ConfigLoad> {
  let raw: unknown = {};
  if (path !== undefined) {
    try {
      raw = JSON.parse(await readFile(path, 'utf8')) as unknown;
    } catch (error) {
      return {
        ok: false,
        error: `cannot read config ${path}: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
  }
  const parsed = parseCorrelationConfig(raw);
  return parsed.ok
    ? { ok: true, config: parsed.config }
    : { ok: false, error: `invalid config ${path ?? ''}`.trim(), errors: parsed.errors };
}

/** `--tick-ms`: a positive integer, default one second of event time. */
export function tickEveryOf(value: string | undefined): number | undefined {
  if (value === undefined) return 1_000;
  const parsed = Number(value);
  return Number.isInteger(parsed) && parsed > 0 ? parsed : undefined;
}
