import type { CanonicalAlert } from '@soc/contracts';
import {
  buildFeedIndex,
  deterministicIds,
  normalizeParsedLine,
  normalizeRecord,
  offlineCorrelation,
  withFeedVerdicts,
  type FeedIndex,
} from '@soc/domain';
import { loadFeed, parseFeedSpec } from '@soc/intel/feeds';
import type { CliIo, CliVerb } from '../cli-io';
import { parseFlags, usageError, type FlagSpec } from '../flags';
import { asCanonicalAlert, loadCorrelationConfig, parseJsonLine, tickEveryOf } from './alert-lines';

const USAGE =
  'usage: correlate [--config file.json] [--tick-ms 1000] [--tenant T] [--ingested-at ms] [--intel-feed [name=][stix:|misp:|plain:]FILE[#column[,label]]]... < alerts.jsonl > incident-events.jsonl';

/** Bound on one feed file; public blocklists are a few MiB. */
const MAX_FEED_BYTES = 256 * 1024 * 1024;

/** Loads the feeds into one index, reporting each on stderr; a feed that cannot be read is an error. */
async function loadFeedIndex(specs: readonly string[], io: CliIo): Promise<FeedIndex | string> {
  const feeds = [];
  for (const spec of specs) {
    const source = parseFeedSpec(spec);
    if (typeof source === 'string') return source;
    try {
      const feed = await loadFeed(source, { maxBytes: MAX_FEED_BYTES, timeoutMs: 60_000 });
      io.err({ feed: feed.name, entries: feed.entries.length, skipped: feed.skipped });
      feeds.push(feed);
    } catch (error) {
      return `feed ${source.name} (${source.location}): ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  return buildFeedIndex(feeds);
}

const FLAGS = {
  config: 'value',
  'tick-ms': 'value',
  tenant: 'value',
  'ingested-at': 'value',
  'intel-feed': 'repeat',
} as const satisfies FlagSpec;

/**
 * `soc correlate`: the correlator's pure core, offline. Reads alerts in arrival order (one a
 * line), ticks the watermark from their event time every `--tick-ms` of event time (newest
 * event time minus the allowed lateness), flushes at the end, and writes the incident events
 * as JSON lines. Same input, same output: ids are derived, nothing reads the clock.
 *
 * A line that is a canonical alert is used as is (its tenant included); any other line goes
 * through the normalizer with `--tenant` (default `default`) and `--ingested-at` (default: the
 * alert's own event time, as if each alert arrived when it fired; deterministic, and within
 * the clock-skew guard). Lines neither accepts are reported on stderr as
 * `{"line": n, "format", "field", "reason"}`.
 *
 * `--config` is a correlation config (see parseCorrelationConfig): `{ defaults, tenants }`.
 * `--intel-feed` (repeatable) loads a local threat-intel feed (STIX 2.1 bundle, MISP feed
 * folder or event, plain list or CSV with `#column`); every alert's indicators are matched
 * offline at the alert's event time and the matches join its threat intel before scoring,
 * so the same alerts and feeds always give the same priorities. Each feed is reported on
 * stderr as `{"feed", "entries", "skipped"}`.
 * Exit code: 0, or 1 when a line was rejected (the rest is still correlated), 2 on usage,
 * config or feed errors (unknown flags included).
 */
export const correlateVerb: CliVerb = async (args, io) => {
  const parsed = parseFlags(args, FLAGS);
  if (!parsed.ok) return usageError(io, parsed.error, USAGE);
  const { flags, positional } = parsed;
  const tickEveryMs = tickEveryOf(flags.get('tick-ms'));
  const ingestedAtFlag = flags.get('ingested-at');
  const ingestedAt = Number(ingestedAtFlag ?? 0);
  if (positional.length > 0 || tickEveryMs === undefined || !Number.isFinite(ingestedAt)) {
    io.err({
      error:
        positional.length > 0
          ? `unexpected argument '${positional[0]}'`
          : 'invalid --tick-ms or --ingested-at',
      usage: USAGE,
    });
    return 2;
  }
  const loaded = await loadCorrelationConfig(flags.get('config'));
  if (!loaded.ok) {
    io.err({ error: loaded.error, errors: loaded.errors ?? [], usage: USAGE });
    return 2;
  }
  const feedSpecs = flags.all('intel-feed');
  const index = await loadFeedIndex(feedSpecs, io);
  if (typeof index === 'string') {
    io.err({ error: index, usage: USAGE });
    return 2;
  }
  const context = { tenantId: flags.get('tenant') ?? 'default', ingestedAt };
  const run = offlineCorrelation(loaded.config, deterministicIds(), { tickEveryMs });
  let lineNumber = 0;
  let rejected = 0;
  for await (const line of io.lines()) {
    lineNumber += 1;
    if (line.trim().length === 0) continue;
    const parsed = parseJsonLine(line);
    let alert: CanonicalAlert | undefined = asCanonicalAlert(parsed);
    if (alert === undefined) {
      const normalized =
        parsed === undefined
          ? normalizeRecord(line, context)
          : normalizeParsedLine({ line, parsed, context });
      if (!normalized.ok) {
        rejected += 1;
        io.err({ line: lineNumber, ...normalized.rejection });
        continue;
      }
      alert =
        ingestedAtFlag === undefined
          ? { ...normalized.alert, ingestedAt: normalized.alert.observedAt }
          : normalized.alert;
    }
    for (const event of run.push(feedSpecs.length > 0 ? withFeedVerdicts(alert, index) : alert))
      io.out(event);
  }
  for (const event of run.finish()) io.out(event);
  return rejected === 0 ? 0 : 1;
};
