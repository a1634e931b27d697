import { requestJson, requestText, SourceError } from '../http-client';
import type { PollContext, PulledPage } from '../pull-source';
import { advanceCursor, queryFrom, type CursorPolicy, type TimeCursor } from '../time-cursor';
import { TimeCursorSource } from '../time-cursor-source';

export interface ElasticSettings {
  /** Elasticsearch, e.g. `https://es.example.com:9200`. */
  readonly baseUrl: string;
  /** Detection alerts of every space by default. */
  readonly index: string;
  /** `Authorization` header value: `ApiKey <base64>` or `Basic <base64>`. */
  readonly authorization: string;
  readonly pageSize: number;
  /** Point-in-time keep-alive between pages, in Elasticsearch's units (`1m`). */
  readonly keepAlive: string;
  readonly cursor: CursorPolicy;
  readonly initialLookbackMs: number;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

interface Hit {
  readonly _id: string;
  readonly _index?: string;
  readonly _source: Record<string, unknown>;
  readonly sort: readonly unknown[];
}

/**
 * Elastic Security detection alerts from `.alerts-security.alerts-*`: a point in time
 * (`POST /<index>/_pit?keep_alive=`) gives one consistent view per poll, paged with
 * `search_after` over `@timestamp` ascending (Elasticsearch adds the `_shard_doc` tiebreaker
 * to a PIT search), from the cursor's overlap on; hits are de-duplicated by `_id`. Each page is
 * committed with the cursor after it; the PIT is closed at the end of the poll.
 */
export class ElasticSource extends TimeCursorSource {
  readonly format = 'elastic' as const;

  constructor(private readonly settings: ElasticSettings) {
    super(settings.initialLookbackMs);
  }

  async *pages(
    checkpoint: TimeCursor,
    context: PollContext,
  ): AsyncIterable<PulledPage<TimeCursor>> {
    let pit = await this.openPit(context.signal);
    let cursor = checkpoint;
    const from = new Date(queryFrom(checkpoint, this.settings.cursor)).toISOString();
    let searchAfter: readonly unknown[] | undefined;
    try {
      for (;;) {
        const { hits, pitId } = await this.search(pit, from, searchAfter, context.signal);
        pit = pitId ?? pit;
        const items = hits.map((hit) => ({
          id: hit._id,
          at: hitTime(hit),
          value: JSON.stringify({ _index: hit._index, _id: hit._id, _source: hit._source }),
        }));
        const advanced = advanceCursor(cursor, items, this.settings.cursor);
        cursor = advanced.cursor;
        if (advanced.fresh.length > 0)
          yield {
            records: advanced.fresh.map(({ id, value }) => ({ id, value })),
            checkpoint: cursor,
          };
        if (hits.length < this.settings.pageSize) return;
        searchAfter = hits[hits.length - 1]?.sort;
      }
    } finally {
      await this.closePit(pit);
    }
  }

  private async openPit(signal: AbortSignal): Promise<string> {
    const { baseUrl, index, keepAlive } = this.settings;
    const answer = await requestJson({
      method: 'POST',
      url: `${baseUrl}/${encodeURIComponent(index)}/_pit?keep_alive=${encodeURIComponent(keepAlive)}`,
      headers: { authorization: this.settings.authorization },
      timeoutMs: this.settings.timeoutMs,
      maxBytes: 64 * 1024,
      signal,
    });
    const id = (answer as { id?: unknown }).id;
    if (typeof id !== 'string')
      throw new SourceError('Elasticsearch _pit answered without an id', undefined);
    return id;
  }

  private async search(
    pit: string,
    from: string,
    searchAfter: readonly unknown[] | undefined,
    signal: AbortSignal,
  ): Promise<{ hits: Hit[]; pitId: string | undefined }> {
    const body = {
      size: this.settings.pageSize,
      pit: { id: pit, keep_alive: this.settings.keepAlive },
      query: { range: { '@timestamp': { gte: from } } },
      sort: [{ '@timestamp': { order: 'asc' } }],
      track_total_hits: false,
      ...(searchAfter === undefined ? {} : { search_after: searchAfter }),
    };
    const answer = (await requestJson({
      method: 'POST',
      url: `${this.settings.baseUrl}/_search`,
      headers: { authorization: this.settings.authorization, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      timeoutMs: this.settings.timeoutMs,
      maxBytes: this.settings.maxResponseBytes,
      signal,
    })) as { pit_id?: unknown; hits?: { hits?: unknown } };
    const hits = answer.hits?.hits;
    if (!Array.isArray(hits))
      throw new SourceError('Elasticsearch _search answered without hits.hits', undefined);
    return {
      hits: hits.filter(isHit),
      pitId: typeof answer.pit_id === 'string' ? answer.pit_id : undefined,
    };
  }

  /** Best effort: an unclosed PIT expires after its keep-alive anyway. */
  private async closePit(pit: string): Promise<void> {
    await requestText({
      method: 'DELETE',
      url: `${this.settings.baseUrl}/_pit`,
      headers: { authorization: this.settings.authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ id: pit }),
      timeoutMs: this.settings.timeoutMs,
      maxBytes: 64 * 1024,
    }).catch(() => undefined);
  }
}

function isHit(value: unknown): value is Hit {
  const hit = value as Partial<Hit> | null;
  return (
    typeof hit === 'object' &&
    hit !== null &&
    typeof hit._id === 'string' &&
    typeof hit._source === 'object' &&
    hit._source !== null &&
    Array.isArray(hit.sort)
  );
}

/** The hit's `@timestamp`: the first sort value (epoch ms), else the document's own field. */
function hitTime(hit: Hit): number {
  const sorted = hit.sort[0];
  if (typeof sorted === 'number') return sorted;
  const parsed = Date.parse(String(hit._source['@timestamp']));
  return Number.isFinite(parsed) ? parsed : 0;
}
