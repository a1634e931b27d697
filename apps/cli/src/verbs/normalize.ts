import { ALERT_FORMATS, type AlertFormat, type EpochMs } from '@soc/contracts';
import { normalizeRecord, type NormalizeContext, type NormalizeResult } from '@soc/domain';
import type { CliIo, CliVerb } from '../cli-io';
import { parseFlags, usageError, type FlagSpec } from '../flags';
import { recordsOf, splitJsonValues } from '../json-documents';

const USAGE =
  'usage: normalize [--format <format>] [--tenant <tenant>] [--source <source system>] [--ingested-at <epoch ms | ISO 8601>] < records';
const FLAGS = {
  format: 'value',
  tenant: 'value',
  source: 'value',
  'ingested-at': 'value',
} as const satisfies FlagSpec;

/** A whole-document input is held in memory to be parsed; JSON lines stream without a bound. */
export const MAX_DOCUMENT_CHARS = 64 * 1024 * 1024;

/**
 * `soc normalize`: the ingest normalization path, offline. Reads records from stdin and writes
 * one canonical alert per accepted record to stdout (JSON lines) and one rejection per refused
 * record to stderr: `{"line": n, "format": ..., "field": ..., "reason": ...}`.
 *
 * Input, decided by the first non-blank line:
 * - JSON documents, when that line opens an array (`[`) or an object that does not close on
 *   the same line (a pretty-printed document): one or more objects or arrays one after
 *   another, each an alert, an array of alerts, or a vendor list envelope (Graph's
 *   `{"value": [...]}`, an Elasticsearch `hits.hits`, Splunk's `results`; json-documents.ts).
 *   Rejections name the line the document starts on and, inside a list, the `index`.
 * - Otherwise one record a line: JSON lines, CEF or LEEF lines (syslog-wrapped or not).
 *   Blank lines are skipped but still counted.
 *
 * `--format` names the format (otherwise it is detected per record), `--tenant` the tenant
 * (default `default`), `--source` the source system (default: the format), `--ingested-at` the
 * arrival time to stamp (default: now; give it to make output reproducible).
 *
 * Exit code: 0 when every record was normalized, 1 when at least one was rejected (the accepted
 * ones are still written), 2 on a usage error (an unknown flag among them).
 */
export const normalizeVerb: CliVerb = async (args, io) => {
  const parsed = parseFlags(args, FLAGS);
  if (!parsed.ok) return usageError(io, parsed.error, USAGE);
  const { flags, positional } = parsed;
  const format = flags.get('format');
  if (format !== undefined && !isAlertFormat(format)) {
    io.err({ error: `unknown format '${format}'`, formats: ALERT_FORMATS, usage: USAGE });
    return 2;
  }
  if (positional.length > 0) return usageError(io, `unexpected argument '${positional[0]}'`, USAGE);
  const ingestedAtFlag = flags.get('ingested-at');
  const ingestedAt = ingestedAtFlag === undefined ? Date.now() : parseIngestedAt(ingestedAtFlag);
  if (ingestedAt === undefined)
    return usageError(io, `invalid --ingested-at '${ingestedAtFlag}'`, USAGE);
  const context: NormalizeContext = {
    tenantId: flags.get('tenant') ?? 'default',
    ingestedAt,
    format,
    sourceSystem: flags.get('source'),
  };
  const sink = new ResultSink(io, context);
  await readInput(io, sink);
  return sink.rejected === 0 ? 0 : 1;
};

async function readInput(io: CliIo, sink: ResultSink): Promise<void> {
  let lineNumber = 0;
  let mode: 'undecided' | 'lines' | 'documents' = 'undecided';
  let documentStart = 0;
  let documentChars = 0;
  const documentLines: string[] = [];
  for await (const line of io.lines()) {
    lineNumber += 1;
    if (mode === 'documents') {
      documentChars += line.length + 1;
      if (documentChars > MAX_DOCUMENT_CHARS) {
        sink.inputError(
          documentStart,
          `a JSON document input is limited to ${MAX_DOCUMENT_CHARS} characters; give larger inputs as JSON lines`,
        );
        return;
      }
      documentLines.push(line);
      continue;
    }
    const trimmed = line.trim();
    if (trimmed.length === 0) continue;
    if (mode === 'undecided' && opensDocument(trimmed)) {
      mode = 'documents';
      documentStart = lineNumber;
      documentChars = line.length + 1;
      documentLines.push(line);
      continue;
    }
    mode = 'lines';
    sink.emit(normalizeRecord(line, sink.context), { line: lineNumber });
  }
  if (mode === 'documents') normalizeDocuments(documentLines.join('\n'), documentStart, sink);
}

/** `[`, or `{` that does not close on its line: a pretty-printed document, not JSON lines. */
function opensDocument(trimmed: string): boolean {
  if (trimmed.startsWith('[')) return true;
  if (!trimmed.startsWith('{')) return false;
  try {
    JSON.parse(trimmed);
    return false;
  } catch {
    return true;
  }
}

function normalizeDocuments(text: string, firstLine: number, sink: ResultSink): void {
  for (const document of splitJsonValues(text, firstLine)) {
    if ('error' in document) {
      sink.inputError(document.line, document.error);
      continue;
    }
    const { records, listed } = recordsOf(document.value);
    records.forEach((record, index) =>
      sink.emit(
        normalizeRecord(record, sink.context),
        listed ? { line: document.line, index } : { line: document.line },
      ),
    );
  }
}

class ResultSink {
  rejected = 0;

  constructor(
    private readonly io: CliIo,
    readonly context: NormalizeContext,
  ) {}

  emit(result: NormalizeResult, where: { line: number; index?: number }): void {
    if (result.ok) {
      this.io.out(result.alert);
      return;
    }
    this.rejected += 1;
    this.io.err({ ...where, ...result.rejection });
  }

  inputError(line: number, reason: string): void {
    this.rejected += 1;
    this.io.err({ line, format: this.context.format ?? 'unknown', field: '(input)', reason });
  }
}

const FORMATS: ReadonlySet<string> = new Set(ALERT_FORMATS);
const isAlertFormat = (value: string): value is AlertFormat => FORMATS.has(value);

function parseIngestedAt(value: string): EpochMs | undefined {
  const trimmed = value.trim();
  if (/^\d{1,16}$/.test(trimmed)) return Number(trimmed);
  const parsed = Date.parse(trimmed);
  return Number.isFinite(parsed) ? parsed : undefined;
}
