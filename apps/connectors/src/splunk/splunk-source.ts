import { createHash } from 'node:crypto';
import { requestText, SourceError } from '../http-client';
import type { PollContext, PulledPage } from '../pull-source';
import { advanceCursor, queryFrom, type CursorPolicy, type TimeCursor } from '../time-cursor';
import { TimeCursorSource } from '../time-cursor-source';

export interface SplunkSettings {
  /** The management port, e.g. `https://splunk.example.com:8089`. */
  readonly baseUrl: string;
  /** An ad-hoc search (`search index=notable`), or `savedSearch` names a saved one. */
  readonly search?: string;
  readonly savedSearch?: string;
  /** `Authorization` header value: `Bearer <token>` or `Basic <base64>`. */
  readonly authorization: string;
  readonly cursor: CursorPolicy;
  /** A window ends this long before now: results still being indexed are left for the next. */
  readonly lagMs: number;
  /** Longest window one export covers; a connector catching up walks window by window. */
  readonly maxWindowMs: number;
  /** How far back the first poll of a new connector reaches. */
  readonly initialLookbackMs: number;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

/**
 * Splunk notable events through the REST search API: `POST /services/search/jobs/export` with
 * `output_mode=json` over a sliding window `[cursor - overlap, now - lag)` of at most
 * `maxWindowMs`, de-duplicated by `event_id` (Enterprise Security's notable id; the hash of
 * the row when a search yields no `event_id`). The export answers one JSON object a line,
 * `{"preview": false, "offset": n, "result": {...}}`; preview rows are skipped and a FATAL or
 * ERROR message fails the poll. Each window is one page, committed before the next.
 */
export class SplunkSource extends TimeCursorSource {
  readonly format = 'splunk' as const;

  constructor(private readonly settings: SplunkSettings) {
    super(settings.initialLookbackMs);
  }

  async *pages(
    checkpoint: TimeCursor,
    context: PollContext,
  ): AsyncIterable<PulledPage<TimeCursor>> {
    let cursor = checkpoint;
    const end = context.now - this.settings.lagMs;
    while (cursor.after < end) {
      const from = queryFrom(cursor, this.settings.cursor);
      const to = Math.min(end, cursor.after + this.settings.maxWindowMs);
      const rows = await this.export(from, to, context.signal);
      const advanced = advanceCursor(cursor, rows, this.settings.cursor, to);
      cursor = advanced.cursor;
      yield { records: advanced.fresh.map(({ id, value }) => ({ id, value })), checkpoint: cursor };
    }
  }

  private async export(
    from: number,
    to: number,
    signal: AbortSignal,
  ): Promise<{ id: string; at: number; value: string }[]> {
    const { baseUrl, search, savedSearch } = this.settings;
    const query =
      savedSearch === undefined ? search : `| savedsearch ${JSON.stringify(savedSearch)}`;
    const body = new URLSearchParams({
      search: query ?? '',
      earliest_time: (from / 1000).toFixed(3),
      latest_time: (to / 1000).toFixed(3),
      output_mode: 'json',
    });
    const text = await requestText({
      method: 'POST',
      url: `${baseUrl}/services/search/jobs/export`,
      headers: {
        authorization: this.settings.authorization,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: body.toString(),
      timeoutMs: this.settings.timeoutMs,
      maxBytes: this.settings.maxResponseBytes,
      signal,
    });
    return parseExport(text, from, to);
  }
}

/** The rows of an export answer, with their ids and times; rows outside the window are dropped. */
export function parseExport(
  text: string,
  from: number,
  to: number,
): { id: string; at: number; value: string }[] {
  const rows: { id: string; at: number; value: string }[] = [];
  for (const line of text.split('\n')) {
    if (line.trim().length === 0) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new SourceError(`Splunk export: a line is not JSON: ${line.slice(0, 120)}`, undefined);
    }
    if (!isObject(parsed)) continue;
    failOnFatalMessages(parsed['messages']);
    const result = parsed['result'];
    if (parsed['preview'] === true || !isObject(result)) continue;
    const at = splunkTime(result['_time']);
    if (at === undefined || at < from || at >= to) continue;
    const value = JSON.stringify(result);
    const eventId = result['event_id'];
    const id =
      typeof eventId === 'string' && eventId.length > 0
        ? eventId
        : `sha256:${createHash('sha256').update(value).digest('hex')}`;
    rows.push({ id, at, value });
  }
  return rows;
}

function failOnFatalMessages(messages: unknown): void {
  if (!Array.isArray(messages)) return;
  for (const message of messages) {
    if (!isObject(message)) continue;
    const type = String(message['type'] ?? '').toUpperCase();
    if (type === 'FATAL' || type === 'ERROR')
      throw new SourceError(
        `Splunk search failed: ${String(message['text']).slice(0, 300)}`,
        undefined,
      );
  }
}

/** `_time` as Splunk exports it: ISO 8601 with an offset, or epoch seconds. */
function splunkTime(value: unknown): number | undefined {
  if (typeof value === 'number') return value * 1000;
  if (typeof value !== 'string') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const parsed = Date.parse(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
