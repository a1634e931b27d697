/**
 * Turns an HTTP body into the records to normalize. Pure: the controller maps the outcome to
 * a status code. JSON bodies carry one alert or an array; NDJSON and text bodies carry one
 * record a line (text lines are CEF, LEEF or syslog-wrapped records).
 */
export type IngestItem =
  | { readonly index: number; readonly record: unknown }
  | {
      readonly index: number;
      readonly invalid: { readonly field: string; readonly reason: string };
    };

export type ParsedBody =
  | { readonly kind: 'items'; readonly items: readonly IngestItem[]; readonly batch: boolean }
  | { readonly kind: 'unsupported-media-type'; readonly reason: string }
  | { readonly kind: 'too-many-items'; readonly reason: string }
  | { readonly kind: 'invalid'; readonly field: string; readonly reason: string };

const NDJSON_TYPES = new Set([
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/x-jsonlines',
]);

export const SUPPORTED_CONTENT_TYPES = ['application/json', ...NDJSON_TYPES, 'text/plain'];

export function parseIngestBody(
  contentTypeHeader: string | undefined,
  body: Buffer,
  maxItems: number,
): ParsedBody {
  const mediaType = (contentTypeHeader ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const text = body.toString('utf8');
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return {
        kind: 'invalid',
        field: 'body',
        reason: `invalid JSON: ${(error as Error).message}`,
      };
    }
    if (Array.isArray(parsed)) {
      if (parsed.length === 0)
        return { kind: 'invalid', field: 'body', reason: 'empty array: send at least one alert' };
      if (parsed.length > maxItems) return tooMany(parsed.length, maxItems);
      return {
        kind: 'items',
        batch: true,
        items: parsed.map((record, index) => ({ index, record })),
      };
    }
    if (parsed === null || typeof parsed !== 'object') {
      return {
        kind: 'invalid',
        field: 'body',
        reason: 'expected a JSON object (one alert) or an array of alerts',
      };
    }
    return { kind: 'items', batch: false, items: [{ index: 0, record: parsed }] };
  }
  const isNdjson = NDJSON_TYPES.has(mediaType);
  if (!isNdjson && mediaType !== 'text/plain') {
    return {
      kind: 'unsupported-media-type',
      reason: `content type '${mediaType || '(none)'}' is not accepted; use one of ${SUPPORTED_CONTENT_TYPES.join(', ')}`,
    };
  }
  const lines = text.split(/\r?\n/).filter((line) => line.trim().length > 0);
  if (lines.length === 0)
    return { kind: 'invalid', field: 'body', reason: 'empty body: send at least one record' };
  if (lines.length > maxItems) return tooMany(lines.length, maxItems);
  const items = lines.map((line, index): IngestItem => {
    if (!isNdjson) return { index, record: line };
    try {
      return { index, record: JSON.parse(line) as unknown };
    } catch (error) {
      return {
        index,
        invalid: { field: `[${index}]`, reason: `invalid JSON line: ${(error as Error).message}` },
      };
    }
  });
  return { kind: 'items', batch: true, items };
}

const tooMany = (count: number, maxItems: number): ParsedBody => ({
  kind: 'too-many-items',
  reason: `batch of ${count} records exceeds the limit of ${maxItems}; split it`,
});
