/**
 * Whole JSON documents on the command line's input, as people have them at hand: a
 * pretty-printed object or array from a vendor's documentation, several of them one after
 * another (`jq .` output), or a vendor's list envelope. Pure: text in, records out.
 */

export type DocumentValue =
  | { readonly line: number; readonly value: unknown }
  | { readonly line: number; readonly error: string };

/**
 * Splits text into the JSON objects and arrays it holds one after another, each with the line
 * it starts on (`firstLine` is the text's own first line). Stops at the first value that is
 * not an object or an array, or is not valid JSON: what follows cannot be framed reliably.
 */
export function splitJsonValues(text: string, firstLine: number): DocumentValue[] {
  const values: DocumentValue[] = [];
  let line = firstLine;
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 10) line += 1;
    if (c === 10 || c === 13 || c === 32 || c === 9 || c === 0xfeff) {
      i += 1;
      continue;
    }
    const start = i;
    const startLine = line;
    const end = c === 123 || c === 91 ? closingIndex(text, start) : -1;
    if (end < 0) {
      const what =
        c === 123 || c === 91 ? 'an unterminated JSON document' : 'not a JSON object or array';
      values.push({ line: startLine, error: what });
      return values;
    }
    const slice = text.slice(start, end);
    for (let j = 0; j < slice.length; j += 1) if (slice.charCodeAt(j) === 10) line += 1;
    try {
      values.push({ line: startLine, value: JSON.parse(slice) as unknown });
    } catch (error) {
      values.push({ line: startLine, error: `invalid JSON: ${(error as Error).message}` });
      return values;
    }
    i = end;
  }
  return values;
}

/** The index just past the bracket that closes the one at `start`, or -1 when none does. */
function closingIndex(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i += 1;
      else if (c === 34) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 || c === 91) depth += 1;
    else if (c === 125 || c === 93) {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const SPLUNK_RESULT_KEYS = new Set([
  'results',
  'preview',
  'init_offset',
  'messages',
  'fields',
  'highlighted',
  'post_process_count',
]);

/**
 * The records a document holds. An array holds its elements; so do the list envelopes of the
 * vendors this project pulls from, recognized strictly so an alert that merely has such a
 * field stays one record:
 * - Microsoft Graph / OData: `{"value": [...]}` with nothing else but `@odata.*` keys;
 * - Elasticsearch `_search`: `{"hits": {"hits": [...]}}` (each element a search hit);
 * - Splunk REST search results: `{"results": [...]}` with only Splunk's result keys.
 * `listed` says whether the records came out of a list (their index is then reported).
 */
export function recordsOf(document: unknown): { records: readonly unknown[]; listed: boolean } {
  if (Array.isArray(document)) return { records: document, listed: true };
  if (!isObject(document)) return { records: [document], listed: false };
  const keys = Object.keys(document);
  const value = document['value'];
  if (Array.isArray(value) && keys.every((k) => k === 'value' || k.startsWith('@odata.')))
    return { records: value, listed: true };
  const hits = document['hits'];
  if (isObject(hits) && Array.isArray(hits['hits']) && !('_source' in document))
    return { records: hits['hits'], listed: true };
  const results = document['results'];
  if (Array.isArray(results) && keys.every((k) => SPLUNK_RESULT_KEYS.has(k)))
    return { records: results, listed: true };
  return { records: [document], listed: false };
}
