import { ALERT_FORMATS, type AlertFormat, type EpochMs } from '@soc/contracts';
import { normalizeRecord, type NormalizeContext, type NormalizeResult } from '@soc/domain';
import { parseFlags, type CliIo, type CliVerb } from '../cli-io';

const USAGE =
  'usage: normalize [--format <format>] [--tenant <tenant>] [--source <source system>] [--ingested-at <epoch ms | ISO 8601>] < records';

/**
 * `soc normalize`: the ingest normalization path, offline. Reads records from stdin and writes
 * one canonical alert per accepted record to stdout (JSON lines) and one rejection per refused
 * record to stderr: `{"line": n, "format": ..., "field": ..., "reason": ...}`.
 *
 * Input: one record a line (JSON lines; CEF or LEEF lines, syslog-wrapped or not), or a whole
 * JSON array when the input's first non-blank character is `[` (each element is a record, and
 * rejections also carry its `index`). Blank lines are skipped but still counted.
 *
 * `--format` names the format (otherwise it is detected per record), `--tenant` the tenant
 * (default `default`), `--source` the source system (default: the format), `--ingested-at` the
 * arrival time to stamp (default: now; give it to make output reproducible).
 *
 * Exit code: 0 when every record was normalized, 1 when at least one was rejected (the accepted
 * ones are still written), 2 on a usage error.
 */
export const normalizeVerb: CliVerb = async (args, io) => {
  const { flags, positional } = parseFlags(args);
  const format = flags.get('format');
  if (format !== undefined && !isAlertFormat(format)) {
    io.err({ error: `unknown format '${format}'`, formats: ALERT_FORMATS, usage: USAGE });
    return 2;
  }
  const ingestedAtFlag = flags.get('ingested-at');
  const ingestedAt = ingestedAtFlag === undefined ? Date.now() : parseIngestedAt(ingestedAtFlag);
  if (ingestedAt === undefined || positional.length > 0) {
    io.err({
      error:
        positional.length > 0
          ? `unexpected argument '${positional[0]}'`
          : `invalid --ingested-at '${ingestedAtFlag}'`,
      usage: USAGE,
    });
    return 2;
  }
  const context: NormalizeContext = {
    tenantId: flags.get('tenant') ?? 'default',
    ingestedAt,
    format,
    sourceSystem: flags.get('source'),
  };

  const counts = { rejected: 0 };
  let lineNumber = 0;
  // The first non-blank line decides: a `[` starts one JSON array, anything else is line mode.
  let mode: 'undecided' | 'lines' | 'array' = 'undecided';
  let arrayStart = 0;
  const arrayLines: string[] = [];
  for await (const line of io.lines()) {
    lineNumber += 1;
    if (mode === 'array') {
      arrayLines.push(line);
      continue;
    }
    const trimmed = line.trimStart();
    if (trimmed.length === 0) continue;
    if (mode === 'undecided' && trimmed.startsWith('[')) {
      mode = 'array';
      arrayStart = lineNumber;
      arrayLines.push(line);
      continue;
    }
    mode = 'lines';
    emit(io, normalizeRecord(line, context), { line: lineNumber }, counts);
  }
  if (mode === 'array') normalizeArray(io, arrayLines.join('\n'), arrayStart, context, counts);
  return counts.rejected === 0 ? 0 : 1;
};

function normalizeArray(
  io: CliIo,
  text: string,
  line: number,
  context: NormalizeContext,
  counts: { rejected: number },
): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    counts.rejected += 1;
    io.err({
      line,
      format: context.format ?? 'unknown',
      field: '(input)',
      reason: `invalid JSON array: ${(error as Error).message}`,
    });
    return;
  }
  if (!Array.isArray(parsed)) {
    counts.rejected += 1;
    io.err({
      line,
      format: context.format ?? 'unknown',
      field: '(input)',
      reason: 'input starting with [ must be one JSON array',
    });
    return;
  }
  parsed.forEach((record: unknown, index) =>
    emit(io, normalizeRecord(record, context), { line, index }, counts),
  );
}

function emit(
  io: CliIo,
  result: NormalizeResult,
  where: { line: number; index?: number },
  counts: { rejected: number },
): void {
  if (result.ok) {
    io.out(result.alert);
    return;
  }
  counts.rejected += 1;
  io.err({ ...where, ...result.rejection });
}

const FORMATS: ReadonlySet<string> = new Set(ALERT_FORMATS);
const isAlertFormat = (value: string): value is AlertFormat => FORMATS.has(value);

function parseIngestedAt(value: string): EpochMs | undefined {
  const trimmed = value.trim();
  if (/^\d{1,16}$/.test(trimmed)) return Number(trimmed);
  const parsed = Date.parse(trimmed);
  return Number.isFinite(parsed) ? parsed : undefined;
}
