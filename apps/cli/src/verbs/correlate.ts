import type { CanonicalAlert } from '@soc/contracts';
import { deterministicIds, normalizeRecord, offlineCorrelation } from '@soc/domain';
import { parseFlags, type CliVerb } from '../cli-io';
import { asCanonicalAlert, loadCorrelationConfig, parseJsonLine, tickEveryOf } from './alert-lines';

const USAGE =
  'usage: correlate [--config file.json] [--tick-ms 1000] [--tenant T] [--ingested-at ms] < alerts.jsonl > incident-events.jsonl';

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
 * Exit code: 0, or 1 when a line was rejected (the rest is still correlated), 2 on usage or
 * config errors.
 */
export const correlateVerb: CliVerb = async (args, io) => {
  const { flags, positional } = parseFlags(args);
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
  const context = { tenantId: flags.get('tenant') ?? 'default', ingestedAt };
  const run = offlineCorrelation(loaded.config, deterministicIds(), { tickEveryMs });
  let lineNumber = 0;
  let rejected = 0;
  for await (const line of io.lines()) {
    lineNumber += 1;
    if (line.trim().length === 0) continue;
    let alert: CanonicalAlert | undefined = asCanonicalAlert(parseJsonLine(line));
    if (alert === undefined) {
      const normalized = normalizeRecord(line, context);
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
    for (const event of run.push(alert)) io.out(event);
  }
  for (const event of run.finish()) io.out(event);
  return rejected === 0 ? 0 : 1;
};
