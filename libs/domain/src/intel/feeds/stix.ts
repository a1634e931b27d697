import type { IntelIndicatorKind, ThreatIntelVerdictLabel } from '@soc/contracts';
import { canonicalIndicator } from '../indicators';
import { canonicalIpOrRange } from '../ip-address';
import {
  asRecord,
  BLOCKLIST_DEFAULTS,
  textOf,
  type FeedDefaults,
  type FeedEntry,
  type FeedParseResult,
  type FeedSkip,
} from './feed-entry';

/** STIX object paths we match, after quotes are dropped and the path is upper-cased. */
const PATH_KINDS: Readonly<Record<string, IntelIndicatorKind>> = {
  'IPV4-ADDR:VALUE': 'ip',
  'IPV6-ADDR:VALUE': 'ip',
  'DOMAIN-NAME:VALUE': 'domain',
  'URL:VALUE': 'url',
  'FILE:HASHES.MD5': 'file_hash',
  'FILE:HASHES.SHA-1': 'file_hash',
  'FILE:HASHES.SHA1': 'file_hash',
  'FILE:HASHES.SHA-256': 'file_hash',
  'FILE:HASHES.SHA256': 'file_hash',
};

const COMPARISON = /([a-z0-9-]+:[a-z0-9_.'-]+)\s*=\s*'((?:[^'\\]|\\.)*)'/gi;
/** What may remain once the comparisons are cut out: brackets and ORs only. */
const ONLY_ORS = /^[\s[\]()]*(?:OR[\s[\]()]*)*$/i;

/**
 * The observables of a STIX 2.1 pattern that any single one of them matches: equality
 * comparisons on the supported paths joined by OR (within or across observation
 * expressions). A pattern that needs several observables together (AND, FOLLOWEDBY) or
 * other operators is not a single-indicator match and is reported.
 */
export function stixPatternObservables(
  pattern: string,
): { kind: IntelIndicatorKind; value: string }[] | string {
  const found: { kind: IntelIndicatorKind; value: string }[] = [];
  for (const match of pattern.matchAll(COMPARISON)) {
    const path = (match[1] as string).replace(/'/g, '').toUpperCase();
    const kind = PATH_KINDS[path];
    if (kind === undefined) return `unsupported object path ${match[1]}`;
    found.push({ kind, value: (match[2] as string).replace(/\\(.)/g, '$1') });
  }
  if (found.length === 0) return 'no equality comparison on a supported path';
  if (!ONLY_ORS.test(pattern.replace(COMPARISON, ''))) {
    return 'pattern combines observables (AND, FOLLOWEDBY, qualifiers) or uses other operators';
  }
  return found;
}

function verdictOf(indicatorTypes: unknown): ThreatIntelVerdictLabel {
  const types = Array.isArray(indicatorTypes) ? indicatorTypes : [];
  if (types.includes('benign')) return 'benign';
  if (types.length > 0 && types.every((t) => t === 'anomalous-activity' || t === 'unknown'))
    return 'suspicious';
  return 'malicious';
}

function entriesOfIndicator(
  object: Record<string, unknown>,
  defaults: FeedDefaults,
): FeedEntry[] | string {
  if (object['revoked'] === true) return 'revoked';
  if (object['pattern_type'] !== undefined && object['pattern_type'] !== 'stix')
    return `pattern_type ${String(object['pattern_type'])} is not stix`;
  const pattern = textOf(object['pattern']);
  if (pattern === null) return 'no pattern';
  const observables = stixPatternObservables(pattern);
  if (typeof observables === 'string') return observables;
  const confidence = object['confidence'];
  const score =
    typeof confidence === 'number' && confidence >= 0 && confidence <= 100
      ? confidence
      : defaults.score;
  const validUntil = textOf(object['valid_until']);
  const label = textOf(object['name']) ?? textOf(object['description']);
  const entries: FeedEntry[] = [];
  for (const { kind, value } of observables) {
    const canonical =
      kind === 'ip' ? canonicalIpOrRange(value) : canonicalIndicator(kind, value)?.value;
    if (canonical === undefined) return `${kind} value '${value}' does not parse`;
    entries.push({
      kind,
      value: canonical,
      verdict: verdictOf(object['indicator_types']),
      score,
      label,
      validUntil: validUntil === null ? null : Date.parse(validUntil),
    });
  }
  return entries;
}

/**
 * A STIX 2.1 bundle's indicators (`type: indicator`, `pattern_type: stix`) as feed entries.
 * The verdict follows `indicator_types` (benign; anomalous-activity is suspicious; anything
 * else malicious), the score the object's `confidence`, else the feed's default.
 */
export function parseStixBundle(
  json: unknown,
  defaults: FeedDefaults = BLOCKLIST_DEFAULTS,
): FeedParseResult {
  const bundle = asRecord(json);
  if (bundle?.['type'] !== 'bundle' || !Array.isArray(bundle['objects'])) {
    return {
      entries: [],
      skipped: [{ at: '$', reason: 'not a STIX bundle (type bundle with objects)' }],
    };
  }
  const entries: FeedEntry[] = [];
  const skipped: FeedSkip[] = [];
  bundle['objects'].forEach((item, index) => {
    const object = asRecord(item);
    if (object?.['type'] !== 'indicator') return;
    const result = entriesOfIndicator(object, defaults);
    if (typeof result === 'string') skipped.push({ at: `objects[${index}]`, reason: result });
    else entries.push(...result);
  });
  return { entries, skipped };
}
