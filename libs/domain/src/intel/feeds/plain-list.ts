import type { IntelIndicatorKind } from '@soc/contracts';
import { canonicalIndicator, detectIndicator } from '../indicators';
import { canonicalIpOrRange } from '../ip-address';
import {
  BLOCKLIST_DEFAULTS,
  type FeedDefaults,
  type FeedEntry,
  type FeedParseResult,
  type FeedSkip,
} from './feed-entry';

export interface PlainListOptions {
  /** The indicators' kind; detected per line when absent. */
  readonly kind?: IntelIndicatorKind;
  /**
   * For CSV feeds: the column holding the indicator, by header name (`dst_ip`, `url`,
   * `sha256_hash`) or zero-based index. Absent: the line (up to a `;` or `#` comment) is
   * the indicator, as in one-a-line lists and Spamhaus DROP.
   */
  readonly column?: string | number;
  /** A CSV column whose value labels the entry (`malware`, `threat`, `signature`). */
  readonly labelColumn?: string;
  readonly defaults?: FeedDefaults;
}

/** Splits one CSV line, honouring double quotes ("a,b" and "" inside quotes). */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < line.length; index += 1) {
    const char = line[index] as string;
    if (quoted) {
      if (char === '"' && line[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      fields.push(field.trim());
      field = '';
    } else field += char;
  }
  fields.push(field.trim());
  return fields;
}

const isComment = (line: string): boolean => line.startsWith('#') || line.startsWith(';');

/**
 * abuse.ch puts the CSV header in a comment (`# id,dateadded,url,...`); other publishers
 * give it as the first line. The header is the last line before the data that names the
 * column asked for.
 */
function headerIndex(
  lines: readonly string[],
  column: string,
): { index: number; dataFrom: number } | undefined {
  for (let at = 0; at < lines.length; at += 1) {
    const line = lines[at] as string;
    const fields = splitCsvLine(line.replace(/^[#;]\s*/, ''));
    const index = fields.indexOf(column);
    if (index >= 0) return { index, dataFrom: at + 1 };
    if (!isComment(line) && line.trim() !== '') return undefined;
  }
  return undefined;
}

function entryOf(
  raw: string,
  options: PlainListOptions,
  label: string | null,
): FeedEntry | undefined {
  const defaults = options.defaults ?? BLOCKLIST_DEFAULTS;
  const address =
    options.kind === undefined || options.kind === 'ip' ? canonicalIpOrRange(raw) : undefined;
  if (address !== undefined)
    return { kind: 'ip', value: address, ...defaults, label, validUntil: null };
  const indicator =
    options.kind === undefined ? detectIndicator(raw) : canonicalIndicator(options.kind, raw);
  if (indicator === undefined) return undefined;
  return { kind: indicator.kind, value: indicator.value, ...defaults, label, validUntil: null };
}

/**
 * A plain feed: one indicator a line (abuse.ch `.txt` lists, Spamhaus DROP with `; SBL`
 * trailers) or CSV with a named or numbered column (abuse.ch Feodo Tracker, URLhaus,
 * MalwareBazaar). Lines starting with `#` or `;` are comments; blank lines are skipped.
 */
export function parsePlainList(text: string, options: PlainListOptions = {}): FeedParseResult {
  const lines = text.split(/\r?\n/);
  const { column } = options;
  let columnIndex = typeof column === 'number' ? column : undefined;
  let labelIndex: number | undefined;
  let dataFrom = 0;
  if (typeof column === 'string') {
    const header = headerIndex(lines, column);
    if (header === undefined)
      return {
        entries: [],
        skipped: [{ at: 'header', reason: `no CSV header names column '${column}'` }],
      };
    columnIndex = header.index;
    dataFrom = header.dataFrom;
    if (options.labelColumn !== undefined) {
      const found = splitCsvLine((lines[dataFrom - 1] as string).replace(/^[#;]\s*/, '')).indexOf(
        options.labelColumn,
      );
      labelIndex = found >= 0 ? found : undefined;
    }
  }
  const entries: FeedEntry[] = [];
  const skipped: FeedSkip[] = [];
  for (let at = dataFrom; at < lines.length; at += 1) {
    const line = (lines[at] as string).trim();
    if (line === '' || isComment(line)) continue;
    let raw: string;
    let label: string | null = null;
    if (columnIndex === undefined) {
      const [value, ...comment] = line.split(/\s+[;#]\s*/);
      raw = value ?? '';
      label = comment.join(' ').trim() || null;
    } else {
      const fields = splitCsvLine(line);
      raw = fields[columnIndex] ?? '';
      label = labelIndex === undefined ? null : fields[labelIndex] || null;
    }
    const entry = entryOf(raw, options, label);
    if (entry === undefined)
      skipped.push({ at: `line ${at + 1}`, reason: `'${raw.slice(0, 80)}' is not an indicator` });
    else entries.push(entry);
  }
  return { entries, skipped };
}
