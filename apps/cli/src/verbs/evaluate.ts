import type { CanonicalAlert, IncidentEvent } from '@soc/contracts';
import { parseDurationMs } from '@soc/config';
import {
  assignmentFold,
  DelayedArrival,
  deterministicIds,
  evaluateAssignment,
  feedbackReplay,
  normalizeRecord,
  offlineCorrelation,
  rarityReference,
  type LabeledAlertRef,
  type NormalizeResult,
  type SourceDelay,
  type TimedLabeledAlert,
} from '@soc/domain';
import type { CliVerb } from '../cli-io';
import { parseFlags, usageError, type FlagSpec } from '../flags';
import {
  asCanonicalAlert,
  asLabel,
  linesOf,
  loadCorrelationConfig,
  parseJsonLine,
  tickEveryOf,
} from './alert-lines';

const USAGE =
  'usage: evaluate [--input labeled.jsonl[.gz]] [--tenant T] [--events incident-events.jsonl[.gz]] [--config file.json] [--tick-ms 1000] [--k 10,50,100] [--delay SOURCE=DURATION]... [--feedback-from-labels FRACTION]';

const FLAGS = {
  input: 'value',
  tenant: 'value',
  events: 'value',
  config: 'value',
  'tick-ms': 'value',
  k: 'value',
  delay: 'repeat',
  'feedback-from-labels': 'value',
} as const satisfies FlagSpec;

/**
 * `soc evaluate`: how well correlation groups and ranks a labeled set. Reads labeled alerts
 * (`--input`, else stdin: one canonical alert or raw record a line with a `label: { group,
 * verdict }`; see labeledAlertOf),
 * correlates them offline as `soc correlate` would (or reads a recorded event log with
 * `--events`), and prints one JSON object: alerts, incidents, the alert-to-incident reduction,
 * pairwise precision / recall / F1 and adjusted Rand index against `label.group`, ROC AUC and
 * precision@k of the final priorities (an incident is positive when most of its alerts are
 * `tp`), the analyst's view of incidents and of stories (see analystView), and under
 * `reference` the same report for the datasets' rarity reference on the same alerts. Files
 * ending in `.gz` are read compressed; events are folded as they come, never held.
 * Deterministic: no timings in the output.
 *
 * Exit code: 0, 1 when a line was not a labeled alert (reported on stderr and left
 * out), 2 on usage or config errors.
 */
export const evaluateVerb: CliVerb = async (args, io) => {
  const parsed = parseFlags(args, FLAGS);
  if (!parsed.ok) return usageError(io, parsed.error, USAGE);
  const { flags, positional } = parsed;
  const tickEveryMs = tickEveryOf(flags.get('tick-ms'));
  const ks = (flags.get('k') ?? '10,50,100').split(',').map(Number);
  const delays = sourceDelaysOf(flags.all('delay'));
  if (typeof delays === 'string') {
    io.err({ error: delays, usage: USAGE });
    return 2;
  }
  if (
    positional.length > 0 ||
    tickEveryMs === undefined ||
    ks.some((k) => !Number.isInteger(k) || k <= 0)
  ) {
    io.err({
      error:
        positional.length > 0
          ? `unexpected argument '${positional[0]}'`
          : 'invalid --tick-ms or --k',
      usage: USAGE,
    });
    return 2;
  }
  const loaded = await loadCorrelationConfig(flags.get('config'));
  if (!loaded.ok) {
    io.err({ error: loaded.error, errors: loaded.errors ?? [], usage: USAGE });
    return 2;
  }
  const tenantId = flags.get('tenant') ?? 'default';
  const eventsPath = flags.get('events');
  const fraction = fractionOf(flags.get('feedback-from-labels'));
  if (fraction === null || (fraction !== undefined && eventsPath !== undefined)) {
    io.err({
      error:
        fraction === null
          ? 'invalid --feedback-from-labels: expected a fraction between 0 and 1, e.g. 0.25'
          : '--feedback-from-labels replays the alerts: it takes no --events',
      usage: USAGE,
    });
    return 2;
  }
  // With feedback the alerts are replayed twice, so they are held (without their originals).
  const held: CanonicalAlert[] | undefined = fraction === undefined ? undefined : [];
  const timed: TimedLabeledAlert[] = [];
  const run =
    eventsPath === undefined && held === undefined
      ? offlineCorrelation(loaded.config, deterministicIds(), { tickEveryMs })
      : undefined;
  const arrive = (alert: CanonicalAlert): void => {
    if (held !== undefined) held.push({ ...alert, original: '', description: null });
    else if (run !== undefined) for (const event of run.push(alert)) fold.add(event);
  };
  const fold = assignmentFold();
  const reference = rarityReference();
  const delayed = new DelayedArrival(delays);
  const labeled: LabeledAlertRef[] = [];
  let lineNumber = 0;
  let rejected = 0;
  try {
    for await (const line of linesOf(flags.get('input'), io.lines)) {
      lineNumber += 1;
      if (line.trim().length === 0) continue;
      const record = parseJsonLine(line);
      const label = asLabel((record as { label?: unknown } | undefined)?.label);
      const alert = label === undefined ? undefined : labeledAlertOf(record, tenantId);
      if (alert === undefined || !alert.ok || label === undefined) {
        rejected += 1;
        io.err({
          line: lineNumber,
          ...(label === undefined
            ? { reason: 'missing or invalid label { group, verdict }' }
            : alert && !alert.ok
              ? alert.rejection
              : {}),
        });
        continue;
      }
      labeled.push({ tenantId: alert.alert.tenantId, alertId: alert.alert.alertId, label });
      if (held !== undefined)
        timed.push({ ...(labeled.at(-1) as LabeledAlertRef), observedAt: alert.alert.observedAt });
      reference.observe(alert.alert);
      const sources = sourcesOf(record, alert.alert);
      for (const arrived of delayed.push({ alert: alert.alert, sources })) arrive(arrived);
    }
    for (const arrived of delayed.finish()) arrive(arrived);
    if (run !== undefined) for (const event of run.finish()) fold.add(event);
    else if (eventsPath !== undefined) {
      for await (const line of linesOf(eventsPath, io.lines)) {
        if (line.trim().length > 0) fold.add(JSON.parse(line) as IncidentEvent);
      }
    }
  } catch (error) {
    io.err({ error: error instanceof Error ? error.message : String(error), usage: USAGE });
    return 2;
  }
  const highPriorityThreshold = loaded.config.defaults.policy.scoring.highPriorityThreshold;
  if (held !== undefined && fraction !== undefined) {
    const evaluation = { precisionAtK: ks, highPriorityThreshold };
    const config = loaded.config;
    io.out(
      feedbackReplay({ alerts: held, labeled: timed, config, tickEveryMs, fraction, evaluation }),
    );
    return rejected === 0 ? 0 : 1;
  }
  io.out({
    ...evaluateAssignment(labeled, fold.result(), { precisionAtK: ks, highPriorityThreshold }),
    reference: evaluateAssignment(labeled, reference.result(), {
      precisionAtK: ks,
      highPriorityThreshold: null,
    }),
  });
  return rejected === 0 ? 0 : 1;
};

/**
 * A labeled line is a canonical alert, or a raw record of any supported format, with a
 * `label` beside it; text formats (CEF, LEEF) come as `{ "record": "<line>", "label": ... }`.
 * Raw records are normalized through the same code path as ingest.
 */
function labeledAlertOf(record: unknown, tenantId: string): NormalizeResult {
  const canonical = asCanonicalAlert(record);
  if (canonical !== undefined) return { ok: true, alert: canonical };
  const { label: _label, ...raw } = record as Record<string, unknown>;
  const input =
    typeof raw['record'] === 'string' && Object.keys(raw).length === 1 ? raw['record'] : raw;
  // Each alert arrives when it fired: deterministic, and within the clock-skew guard.
  const normalized = normalizeRecord(input, { tenantId, ingestedAt: 0 });
  return normalized.ok
    ? { ok: true, alert: { ...normalized.alert, ingestedAt: normalized.alert.observedAt } }
    : normalized;
}

/** `--feedback-from-labels`: undefined when not given, null when not a fraction in (0, 1). */
function fractionOf(value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  const fraction = Number(value);
  return value.trim() !== '' && fraction > 0 && fraction < 1 ? fraction : null;
}

/** Every `--delay SOURCE=DURATION` (repeatable), or what is wrong with one. */
function sourceDelaysOf(values: readonly string[]): SourceDelay[] | string {
  const delays: SourceDelay[] = [];
  for (const value of values) {
    const [source, duration] = value.split('=', 2);
    const delayMs = duration === undefined ? undefined : parseDurationMs(duration);
    if (!source || delayMs === undefined)
      return `invalid --delay '${value}': expected SOURCE=DURATION, e.g. aminer=6h`;
    delays.push({ source, delayMs });
  }
  return delays;
}

/** The names a line's source goes by: the alert's system and product, and Wazuh's `location`. */
function sourcesOf(record: unknown, alert: CanonicalAlert): string[] {
  const location = (record as { location?: unknown }).location;
  const names = [alert.sourceSystem, alert.product ?? ''];
  if (typeof location === 'string') names.push(location);
  return names;
}
