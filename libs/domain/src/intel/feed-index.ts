import type { EpochMs } from '@soc/contracts';
import type { FeedEntry } from './feeds/feed-entry';
import { indicatorKey, type Indicator } from './indicators';
import { parseCidr, parseIp, type IpRange } from './ip-address';

/** One loaded feed: its name (the provider shown in verdicts, as `feed:<name>`) and entries. */
export interface LoadedFeed {
  readonly name: string;
  readonly entries: readonly FeedEntry[];
}

export interface FeedMatch {
  readonly feed: string;
  readonly entry: FeedEntry;
}

/**
 * Every loaded feed in two structures: exact values in one hash map, and CIDR ranges in
 * buckets by their first 16 bits (IPv4) or 32 bits (IPv6), so a lookup costs a map hit and
 * a scan of the few ranges sharing the address's bucket. Ranges wider than the bucket go to
 * a short list scanned for every address.
 */
export interface FeedIndex {
  readonly exact: ReadonlyMap<string, readonly FeedMatch[]>;
  readonly rangeBuckets: ReadonlyMap<string, readonly RangeMatch[]>;
  readonly wideRanges: readonly RangeMatch[];
  readonly size: number;
}

interface RangeMatch extends FeedMatch {
  readonly range: IpRange;
}

const BUCKET_BITS = { 4: 16n, 6: 32n } as const;
const TOTAL_BITS = { 4: 32n, 6: 128n } as const;

const bucketOf = (version: 4 | 6, value: bigint): string =>
  `${version}:${(value >> (TOTAL_BITS[version] - BUCKET_BITS[version])).toString(16)}`;

export function buildFeedIndex(feeds: readonly LoadedFeed[]): FeedIndex {
  const exact = new Map<string, FeedMatch[]>();
  const rangeBuckets = new Map<string, RangeMatch[]>();
  const wideRanges: RangeMatch[] = [];
  let size = 0;
  for (const feed of feeds) {
    for (const entry of feed.entries) {
      size += 1;
      const range =
        entry.kind === 'ip' && entry.value.includes('/') ? parseCidr(entry.value) : undefined;
      if (range === undefined) {
        const key = indicatorKey(entry);
        exact.set(key, [...(exact.get(key) ?? []), { feed: feed.name, entry }]);
        continue;
      }
      const match: RangeMatch = { feed: feed.name, entry, range };
      const span = range.last - range.first + 1n;
      if (span > 1n << (TOTAL_BITS[range.version] - BUCKET_BITS[range.version])) {
        wideRanges.push(match);
        continue;
      }
      const bucket = bucketOf(range.version, range.first);
      rangeBuckets.set(bucket, [...(rangeBuckets.get(bucket) ?? []), match]);
    }
  }
  return { exact, rangeBuckets, wideRanges, size };
}

export const EMPTY_FEED_INDEX: FeedIndex = buildFeedIndex([]);

const isValidAt = (entry: FeedEntry, now: EpochMs): boolean =>
  entry.validUntil === null || Number.isNaN(entry.validUntil) || entry.validUntil > now;

/** Every feed entry that lists the indicator (an exact value or a range holding the IP), still valid at `now`. */
export function matchIndicator(index: FeedIndex, indicator: Indicator, now: EpochMs): FeedMatch[] {
  const matches = [...(index.exact.get(indicatorKey(indicator)) ?? [])];
  const ip = indicator.kind === 'ip' ? parseIp(indicator.value) : undefined;
  if (ip !== undefined) {
    const value = BigInt(ip.value);
    const candidates = [
      ...(index.rangeBuckets.get(bucketOf(ip.version, value)) ?? []),
      ...index.wideRanges,
    ];
    for (const candidate of candidates) {
      const { range } = candidate;
      if (range.version === ip.version && value >= range.first && value <= range.last)
        matches.push({ feed: candidate.feed, entry: candidate.entry });
    }
  }
  return matches.filter((match) => isValidAt(match.entry, now));
}
