import { requestJson, SourceError } from '../http-client';
import type { PollContext, PullSource, PulledPage } from '../pull-source';
import {
  advanceCursor,
  queryFrom,
  startingCursor,
  type CursorPolicy,
  type TimeCursor,
} from '../time-cursor';
import { parseTimeCursor } from '../time-cursor-codec';

export interface GraphSettings {
  /** The OAuth2 token endpoint: `https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token`. */
  readonly tokenUrl: string;
  /** `https://graph.microsoft.com`; `@odata.nextLink` is only followed on this origin. */
  readonly graphUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope: string;
  readonly pageSize: number;
  readonly cursor: CursorPolicy;
  readonly initialLookbackMs: number;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
}

/**
 * Where a Graph poll stands: the time cursor over `createdDateTime`, and while a listing is
 * being paged, the listing's start and its `@odata.nextLink`. alerts_v2 promises no order, so
 * the cursor's memory keeps every id of the listing until it ends; a restart continues the
 * stored nextLink, or the whole listing from its start when the link no longer works.
 */
export interface GraphCheckpoint {
  readonly cursor: TimeCursor;
  readonly listing: { readonly from: number; readonly next: string } | null;
}

/**
 * Microsoft Graph security API `alerts_v2`, as an app: an OAuth2 client-credentials token
 * (cached until a minute before it expires, dropped on 401), then
 * `GET /v1.0/security/alerts_v2?$filter=createdDateTime ge <from>&$top=<n>`, following
 * `@odata.nextLink` page by page. New alerts only: later updates of a pulled alert are not
 * pulled again. Throttling (429 with `Retry-After`) ends the poll; the runner waits it out.
 */
export class GraphSource implements PullSource<GraphCheckpoint> {
  readonly format = 'ms-graph' as const;
  private token: { readonly value: string; readonly expiresAt: number } | undefined;

  constructor(
    private readonly settings: GraphSettings,
    private readonly clock: () => number = Date.now,
  ) {}

  initialCheckpoint(now: number): GraphCheckpoint {
    return { cursor: startingCursor(now - this.settings.initialLookbackMs), listing: null };
  }

  parseCheckpoint(value: unknown): GraphCheckpoint | undefined {
    const { cursor, listing } = (value ?? {}) as { cursor?: unknown; listing?: unknown };
    const parsed = parseTimeCursor(cursor);
    if (parsed === undefined) return undefined;
    const { from, next } = (listing ?? {}) as { from?: unknown; next?: unknown };
    return {
      cursor: parsed,
      listing: typeof from === 'number' && typeof next === 'string' ? { from, next } : null,
    };
  }

  async *pages(
    checkpoint: GraphCheckpoint,
    context: PollContext,
  ): AsyncIterable<PulledPage<GraphCheckpoint>> {
    const from = checkpoint.listing?.from ?? queryFrom(checkpoint.cursor, this.settings.cursor);
    let cursor = checkpoint.cursor;
    let url = checkpoint.listing?.next ?? this.firstPage(from);
    for (;;) {
      const page = await this.list(url, context.signal).catch((error: unknown) => {
        // A stored nextLink that no longer works (expired skip token): list again from the start.
        if (url !== this.firstPage(from) && error instanceof SourceError && error.status === 400)
          return this.list(this.firstPage(from), context.signal);
        throw error;
      });
      const items = page.alerts.map((alert) => ({
        id: alert.id,
        at: Date.parse(alert.createdDateTime),
        value: JSON.stringify(alert),
      }));
      const listingGoesOn = page.next !== undefined;
      // Inside a listing nothing is forgotten (no order is promised); at its end the usual overlap applies.
      const held = advanceCursor(cursor, items, { ...this.settings.cursor, overlapMs: Infinity });
      cursor = listingGoesOn
        ? held.cursor
        : advanceCursor(held.cursor, [], this.settings.cursor).cursor;
      yield {
        records: held.fresh.map(({ id, value }) => ({ id, value })),
        checkpoint: { cursor, listing: page.next === undefined ? null : { from, next: page.next } },
      };
      if (page.next === undefined) return;
      url = page.next;
    }
  }

  private firstPage(from: number): string {
    const filter = `createdDateTime ge ${new Date(from).toISOString()}`;
    const query = new URLSearchParams({ $filter: filter, $top: String(this.settings.pageSize) });
    return `${this.settings.graphUrl}/v1.0/security/alerts_v2?${query.toString()}`;
  }

  private async list(
    url: string,
    signal: AbortSignal,
  ): Promise<{ alerts: { id: string; createdDateTime: string }[]; next: string | undefined }> {
    if (new URL(url).origin !== new URL(this.settings.graphUrl).origin)
      throw new SourceError(
        `refusing an @odata.nextLink outside ${this.settings.graphUrl}`,
        undefined,
      );
    const authorization = `Bearer ${await this.accessToken(signal)}`;
    const answer = (await requestJson({
      method: 'GET',
      url,
      headers: { authorization, accept: 'application/json' },
      timeoutMs: this.settings.timeoutMs,
      maxBytes: this.settings.maxResponseBytes,
      signal,
    }).catch((error: unknown) => {
      if (error instanceof SourceError && error.status === 401) this.token = undefined;
      throw error;
    })) as { value?: unknown; '@odata.nextLink'?: unknown };
    if (!Array.isArray(answer.value))
      throw new SourceError('Graph alerts_v2 answered without a value list', undefined);
    const alerts = answer.value.filter(
      (alert): alert is { id: string; createdDateTime: string } =>
        typeof alert === 'object' &&
        alert !== null &&
        typeof (alert as { id?: unknown }).id === 'string' &&
        typeof (alert as { createdDateTime?: unknown }).createdDateTime === 'string',
    );
    const next = answer['@odata.nextLink'];
    return { alerts, next: typeof next === 'string' ? next : undefined };
  }

  private async accessToken(signal: AbortSignal): Promise<string> {
    if (this.token !== undefined && this.token.expiresAt > this.clock()) return this.token.value;
    const answer = (await requestJson({
      method: 'POST',
      url: this.settings.tokenUrl,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: this.settings.clientId,
        client_secret: this.settings.clientSecret,
        scope: this.settings.scope,
        grant_type: 'client_credentials',
      }).toString(),
      timeoutMs: this.settings.timeoutMs,
      maxBytes: 64 * 1024,
      signal,
    })) as { access_token?: unknown; expires_in?: unknown };
    if (typeof answer.access_token !== 'string')
      throw new SourceError('the token endpoint answered without an access_token', undefined);
    const lifetimeMs = (typeof answer.expires_in === 'number' ? answer.expires_in : 300) * 1000;
    this.token = { value: answer.access_token, expiresAt: this.clock() + lifetimeMs - 60_000 };
    return answer.access_token;
  }
}
