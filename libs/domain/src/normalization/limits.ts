import type { AlertEntity, CanonicalAlert, ThreatIntelVerdict } from '@soc/contracts';
import { fnv1a64Hex } from './content-hash';

/**
 * Every size a canonical alert may reach, in UTF-8 bytes or list entries, whatever the format
 * or the sender. With these caps the largest alert encodes to 401 KB in Avro, so it and the
 * incident events that copy its summary stay under the broker's 1 MiB message limit
 * (README, "Limits"). A cap that applies is recorded on the alert in `truncated`, never
 * applied silently.
 */
export const ALERT_LIMITS = {
  /** A record larger than this is refused whole: an alert is not a bulk upload. */
  recordBytes: 1_048_576,
  /** tenantId, alertId, sourceSystem. */
  idBytes: 256,
  /** product, vendor, ruleId, ruleName, severityLabel, category, threat-intel source. */
  labelBytes: 512,
  titleBytes: 2_048,
  descriptionBytes: 16_384,
  /** tactics and techniques: entries, and bytes per entry. */
  attackRefs: 64,
  attackRefBytes: 128,
  entities: 128,
  /** An entity value or a threat-intel indicator. */
  entityValueBytes: 1_024,
  threatIntel: 64,
  /** The record as received, kept for the analyst: its head when it is larger. */
  originalBytes: 131_072,
} as const;

/**
 * The alert within ALERT_LIMITS, with text PostgreSQL can store: NUL (refused in `text` and
 * `jsonb`) and lone UTF-16 surrogates (refused in `jsonb`, and not UTF-8 at all) become U+FFFD,
 * so an alert never poisons a read model downstream. An alertId over its cap keeps its head and
 * a hash of the whole id, so two long ids that share a head stay two alerts.
 */
export function limitAlert(alert: CanonicalAlert): CanonicalAlert {
  const cut = new Cuts();
  const L = ALERT_LIMITS;
  return {
    tenantId: cut.text('tenantId', alert.tenantId, L.idBytes),
    alertId: cut.id('alertId', alert.alertId),
    sourceSystem: cut.text('sourceSystem', alert.sourceSystem, L.idBytes),
    observedAt: alert.observedAt,
    ingestedAt: alert.ingestedAt,
    observedAtFromArrival: alert.observedAtFromArrival,
    product: cut.nullable('product', alert.product, L.labelBytes),
    vendor: cut.nullable('vendor', alert.vendor, L.labelBytes),
    ruleId: cut.nullable('ruleId', alert.ruleId, L.labelBytes),
    ruleName: cut.nullable('ruleName', alert.ruleName, L.labelBytes),
    title: cut.text('title', alert.title, L.titleBytes),
    description: cut.nullable('description', alert.description, L.descriptionBytes),
    severity: alert.severity,
    severityLabel: cut.text('severityLabel', alert.severityLabel, L.labelBytes),
    confidence: alert.confidence,
    category: cut.nullable('category', alert.category, L.labelBytes),
    tactics: cut.texts('tactics', alert.tactics),
    techniques: cut.texts('techniques', alert.techniques),
    entities: cut.list('entities', alert.entities, L.entities).map((e) => cut.entity(e)),
    threatIntel: cut
      .list('threatIntel', alert.threatIntel, L.threatIntel)
      .map((v) => cut.verdict(v)),
    format: alert.format,
    original: cut.text('original', alert.original, L.originalBytes),
    // Last: the cuts above have run when it is read.
    truncated: mergedCuts(alert.truncated, cut.fields),
  };
}

/** The fields cut before and now, each once; most alerts are cut nowhere and copy nothing. */
function mergedCuts(
  before: readonly string[] | undefined,
  now: readonly string[],
): readonly string[] {
  if (now.length === 0 && (before === undefined || before.length === 0)) return [];
  return [...new Set([...(before ?? []), ...now])];
}

/** Applies the caps and remembers which fields they cut, in the order met. */
class Cuts {
  readonly fields: string[] = [];

  text(field: string, value: string, maxBytes: number): string {
    const safe = storableText(value);
    const head = utf8Head(safe, maxBytes);
    if (head.length < safe.length) this.fields.push(field);
    return head;
  }

  nullable(field: string, value: string | null, maxBytes: number): string | null {
    return value === null ? null : this.text(field, value, maxBytes);
  }

  id(field: string, value: string): string {
    const safe = storableText(value);
    const max = ALERT_LIMITS.idBytes;
    if (utf8Head(safe, max).length === safe.length) return safe;
    this.fields.push(field);
    const suffix = `…fnv1a64:${fnv1a64Hex(value)}`;
    return utf8Head(safe, max - utf8Length(suffix)) + suffix;
  }

  list<T>(field: string, values: readonly T[], max: number): readonly T[] {
    if (values.length <= max) return values;
    this.fields.push(field);
    return values.slice(0, max);
  }

  texts(field: string, values: readonly string[]): string[] {
    const L = ALERT_LIMITS;
    return this.list(field, values, L.attackRefs).map((v) =>
      this.text(`${field}[]`, v, L.attackRefBytes),
    );
  }

  entity(entity: AlertEntity): AlertEntity {
    const value = this.text('entities[].value', entity.value, ALERT_LIMITS.entityValueBytes);
    return value === entity.value ? entity : { ...entity, value };
  }

  verdict(verdict: ThreatIntelVerdict): ThreatIntelVerdict {
    const L = ALERT_LIMITS;
    const indicator = this.text('threatIntel[].indicator', verdict.indicator, L.entityValueBytes);
    const source = this.text('threatIntel[].source', verdict.source, L.labelBytes);
    return indicator === verdict.indicator && source === verdict.source
      ? verdict
      : { ...verdict, indicator, source };
  }
}

// NUL, a high surrogate not followed by a low one, a low surrogate not preceded by a high one.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const MAYBE_UNSTORABLE = /[\u0000\ud800-\udfff]/;

/** Text PostgreSQL stores in `text` and `jsonb`: NUL and lone surrogates become U+FFFD. */
export function storableText(value: string): string {
  return MAYBE_UNSTORABLE.test(value) ? value.replace(UNSTORABLE, '\ufffd') : value;
}

const ENCODER = new TextEncoder();
const SCRATCH = new Map<number, Uint8Array>();

/**
 * The longest head of `value` whose UTF-8 encoding fits in `maxBytes`, never splitting a
 * character. Linear in the head: the encoder stops when its buffer is full.
 */
export function utf8Head(value: string, maxBytes: number): string {
  if (value.length * 3 <= maxBytes) return value;
  let buffer = SCRATCH.get(maxBytes);
  if (buffer === undefined) {
    buffer = new Uint8Array(maxBytes);
    SCRATCH.set(maxBytes, buffer);
  }
  const { read } = ENCODER.encodeInto(value, buffer);
  return read >= value.length ? value : value.slice(0, read);
}

/** UTF-8 length of a string without encoding it (lone surrogates count as U+FFFD). */
export function utf8Length(value: string): number {
  let bytes = 0;
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(value.charCodeAt(i + 1))) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;
