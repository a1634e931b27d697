import type { IntelIndicatorKind } from '@soc/contracts';
import { canonicalIndicator } from '../indicators';
import {
  asRecord,
  textOf,
  type FeedEntry,
  type FeedParseResult,
  type FeedSkip,
} from './feed-entry';

/**
 * MISP attribute types that carry one indicator, and which part of a composite value
 * (`filename|sha256`, `ip-dst|port`, `domain|ip`) holds it.
 */
const ATTRIBUTE_TYPES: Readonly<Record<string, { kind: IntelIndicatorKind; part: number }[]>> = {
  'ip-src': [{ kind: 'ip', part: 0 }],
  'ip-dst': [{ kind: 'ip', part: 0 }],
  'ip-src|port': [{ kind: 'ip', part: 0 }],
  'ip-dst|port': [{ kind: 'ip', part: 0 }],
  domain: [{ kind: 'domain', part: 0 }],
  hostname: [{ kind: 'domain', part: 0 }],
  'domain|ip': [
    { kind: 'domain', part: 0 },
    { kind: 'ip', part: 1 },
  ],
  url: [{ kind: 'url', part: 0 }],
  md5: [{ kind: 'file_hash', part: 0 }],
  sha1: [{ kind: 'file_hash', part: 0 }],
  sha256: [{ kind: 'file_hash', part: 0 }],
  'filename|md5': [{ kind: 'file_hash', part: 1 }],
  'filename|sha1': [{ kind: 'file_hash', part: 1 }],
  'filename|sha256': [{ kind: 'file_hash', part: 1 }],
};

/** MISP threat levels: 1 high, 2 medium, 3 low, 4 undefined. */
const THREAT_LEVEL_SCORE: Readonly<Record<string, number>> = { '1': 90, '2': 75, '3': 60, '4': 50 };

/** The event uuids a MISP feed's manifest.json lists; each is the file `<uuid>.json`. */
export function parseMispManifest(json: unknown): string[] | string {
  const manifest = asRecord(json);
  if (manifest === undefined) return 'manifest is not a JSON object of event uuids';
  const uuids = Object.keys(manifest).filter((uuid) => /^[0-9a-f-]{36}$/i.test(uuid));
  return uuids.length === Object.keys(manifest).length
    ? uuids
    : 'manifest keys must be event uuids';
}

function attributesOf(event: Record<string, unknown>): unknown[] {
  const own = Array.isArray(event['Attribute']) ? event['Attribute'] : [];
  const objects = Array.isArray(event['Object']) ? event['Object'] : [];
  const nested = objects.flatMap((object) => {
    const attributes = asRecord(object)?.['Attribute'];
    return Array.isArray(attributes) ? attributes : [];
  });
  return [...own, ...nested];
}

function entriesOfAttribute(
  attribute: Record<string, unknown>,
  score: number,
  label: string | null,
): FeedEntry[] | string | null {
  const type = textOf(attribute['type']);
  const parts = type === null ? undefined : ATTRIBUTE_TYPES[type];
  if (parts === undefined) return null;
  // to_ids false marks context (a hostname seen in a report), not something to detect on.
  if (attribute['to_ids'] !== true && attribute['to_ids'] !== '1') return 'to_ids is false';
  const values = (textOf(attribute['value']) ?? '').split('|');
  const entries: FeedEntry[] = [];
  for (const { kind, part } of parts) {
    const indicator = canonicalIndicator(kind, values[part] ?? '');
    if (indicator === undefined)
      return `${type} value '${String(attribute['value'])}' does not parse`;
    entries.push({
      kind,
      value: indicator.value,
      verdict: 'malicious',
      score,
      label,
      validUntil: null,
    });
  }
  return entries;
}

/**
 * One MISP feed event file (`{ "Event": { ..., "Attribute": [...], "Object": [...] } }`) as
 * feed entries: the attributes marked for detection (`to_ids`) of the supported types, in
 * the event and its objects. The score follows the event's threat level; the label is its
 * `info`. Attributes of other types are context and are passed over silently.
 */
export function parseMispEvent(json: unknown): FeedParseResult {
  const event = asRecord(asRecord(json)?.['Event']);
  if (event === undefined)
    return { entries: [], skipped: [{ at: '$', reason: 'no Event object' }] };
  const score = THREAT_LEVEL_SCORE[String(event['threat_level_id'] ?? '4')] ?? 50;
  const label = textOf(event['info']);
  const entries: FeedEntry[] = [];
  const skipped: FeedSkip[] = [];
  attributesOf(event).forEach((item, index) => {
    const attribute = asRecord(item);
    if (attribute === undefined) return;
    const result = entriesOfAttribute(attribute, score, label);
    if (result === null) return;
    const at = textOf(attribute['uuid']) ?? `Attribute[${index}]`;
    if (typeof result === 'string') skipped.push({ at, reason: result });
    else entries.push(...result);
  });
  return { entries, skipped };
}
