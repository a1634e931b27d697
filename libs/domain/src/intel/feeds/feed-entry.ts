import type { EpochMs, IntelIndicatorKind, ThreatIntelVerdictLabel } from '@soc/contracts';

/**
 * One indicator a feed lists. `value` is canonical (see canonicalIndicator), except that an
 * IP entry may be a CIDR range (`1.10.16.0/20`, as Spamhaus DROP lists them).
 */
export interface FeedEntry {
  readonly kind: IntelIndicatorKind;
  readonly value: string;
  readonly verdict: ThreatIntelVerdictLabel;
  /** 0-100: how strongly the feed believes the indicator is malicious. */
  readonly score: number;
  /** What the feed says about it (malware family, SBL id, event title), for the evidence words. */
  readonly label: string | null;
  /** The feed's own end of validity (STIX valid_until); null when it states none. */
  readonly validUntil: EpochMs | null;
}

/** An item the parser could not use, with where it was and why. */
export interface FeedSkip {
  readonly at: string;
  readonly reason: string;
}

export interface FeedParseResult {
  readonly entries: readonly FeedEntry[];
  readonly skipped: readonly FeedSkip[];
}

/** What a feed's listing means when the feed itself does not say: a blocklist's verdict. */
export interface FeedDefaults {
  readonly verdict: ThreatIntelVerdictLabel;
  readonly score: number;
}

export const BLOCKLIST_DEFAULTS: FeedDefaults = { verdict: 'malicious', score: 90 };

export const asRecord = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;

export const textOf = (value: unknown): string | null =>
  typeof value === 'string' && value.trim().length > 0 ? value.trim() : null;
