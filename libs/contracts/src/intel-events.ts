import type { EpochMs, ThreatIntelVerdictLabel } from './alert';
import type { EventEnvelope } from './envelope';

/**
 * Threat-intel results on `soc.intel.v1`, produced by the intel enrichment service. Keyed by
 * tenant id and written to the same partition number as the alert that asked for them, so
 * partition p of this topic holds the verdicts for the tenants of alerts partition p (and of
 * incidents partition p): the correlator that owns p reads all three.
 *
 * Stream ids: `intel:<provider>:<kind>:<indicator>` per tenant; the sequence is gap-free per
 * tenant and stream. Replaying these events gives the same priorities without calling any
 * provider: every verdict the system used is here with its fetch time and expiry. API keys
 * never appear in an event.
 */
export const INTEL_INDICATOR_KINDS = ['ip', 'domain', 'url', 'file_hash'] as const;
export type IntelIndicatorKind = (typeof INTEL_INDICATOR_KINDS)[number];

export interface IntelVerdictRecordedData {
  /** `virustotal`, `abuseipdb`, or `feed:<name>` for a local feed match. */
  readonly provider: string;
  readonly indicator: string;
  readonly kind: IntelIndicatorKind;
  readonly verdict: ThreatIntelVerdictLabel;
  /** 0-100: how strongly the provider believes the indicator is malicious. */
  readonly score: number;
  /** The provider's evidence in words: "AbuseIPDB confidence 97 for 203.0.113.7, 412 reports". */
  readonly evidence: string;
  readonly fetchedAt: EpochMs;
  /** After this the verdict is stale: a new lookup is due before it is used again. */
  readonly expiresAt: EpochMs;
  /** The alerts (of this tenant) carrying the indicator when the verdict was recorded. */
  readonly alertIds: readonly string[];
}

/** A lookup that could not be made now (provider down, rate-limited, budget spent): fail open. */
export interface IntelLookupDeferredData {
  readonly provider: string;
  readonly indicator: string;
  readonly kind: IntelIndicatorKind;
  /** Why the intel is unavailable: "HTTP 429 from AbuseIPDB", "timed out after 5000 ms". */
  readonly reason: string;
  readonly retryAt: EpochMs;
  readonly alertIds: readonly string[];
}

export type IntelVerdictRecorded = EventEnvelope<'IntelVerdictRecorded', IntelVerdictRecordedData>;
export type IntelLookupDeferred = EventEnvelope<'IntelLookupDeferred', IntelLookupDeferredData>;

export type IntelEvent = IntelVerdictRecorded | IntelLookupDeferred;
export type IntelEventType = IntelEvent['type'];
