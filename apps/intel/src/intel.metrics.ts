import { Counter, Gauge } from 'prom-client';
import type { AppMetrics } from '@soc/observability';

/** The enrichment service's own series, on the app's registry next to the shared ones. */
export class IntelMetrics {
  readonly lookups: Counter<'provider' | 'outcome'>;
  readonly feedMatches: Counter<'feed'>;
  readonly feedEntries: Gauge;
  readonly pendingLookups: Gauge;
  readonly undecodable: Counter;

  constructor(metrics: AppMetrics) {
    const registers = [metrics.registry];
    this.lookups = new Counter({
      name: 'soc_intel_lookups_total',
      help: 'Remote lookups by provider and outcome (verdict, cached, deferred, never_sent, queued)',
      labelNames: ['provider', 'outcome'],
      registers,
    });
    this.feedMatches = new Counter({
      name: 'soc_intel_feed_matches_total',
      help: 'Indicators matched in a local feed',
      labelNames: ['feed'],
      registers,
    });
    this.feedEntries = new Gauge({
      name: 'soc_intel_feed_entries',
      help: 'Entries in the feed index',
      registers,
    });
    this.pendingLookups = new Gauge({
      name: 'soc_intel_pending_lookups',
      help: 'Remote lookups accepted and not yet answered (the durable queue)',
      registers,
    });
    this.undecodable = new Counter({
      name: 'soc_intel_undecodable_alerts_total',
      help: 'Alert records the intel service could not decode (the correlator dead-letters them)',
      registers,
    });
  }
}
