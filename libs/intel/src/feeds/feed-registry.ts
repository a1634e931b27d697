import { buildFeedIndex, EMPTY_FEED_INDEX, type FeedIndex, type LoadedFeed } from '@soc/domain';
import { loadFeed, type FeedLoadLimits, type FeedSource } from './feed-loader';

export interface FeedRefreshReport {
  readonly loaded: readonly {
    readonly name: string;
    readonly entries: number;
    readonly skipped: number;
  }[];
  readonly failed: readonly { readonly name: string; readonly error: string }[];
  readonly indexed: number;
}

/**
 * The local feeds, reloaded on a schedule by the app. A feed that fails to load keeps its
 * last good entries (a publisher's hiccup must not empty the fast path); the index is
 * rebuilt and swapped in one assignment, so a match never sees half a refresh.
 */
export class FeedRegistry {
  private readonly feeds = new Map<string, LoadedFeed>();
  private index: FeedIndex = EMPTY_FEED_INDEX;

  constructor(
    private readonly sources: readonly FeedSource[],
    private readonly limits: FeedLoadLimits,
  ) {}

  get current(): FeedIndex {
    return this.index;
  }

  async refresh(): Promise<FeedRefreshReport> {
    const loaded: { name: string; entries: number; skipped: number }[] = [];
    const failed: { name: string; error: string }[] = [];
    for (const source of this.sources) {
      try {
        const feed = await loadFeed(source, this.limits);
        this.feeds.set(source.name, feed);
        loaded.push({ name: source.name, entries: feed.entries.length, skipped: feed.skipped });
      } catch (error) {
        failed.push({
          name: source.name,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    this.index = buildFeedIndex([...this.feeds.values()]);
    return { loaded, failed, indexed: this.index.size };
  }
}
