import type { CanonicalAlert, EpochMs, FeedbackEvent, IncidentEvent } from '@soc/contracts';
import { guardedEventTime } from './clock-skew';
import { policyFor, type CorrelationConfig } from './config';
import { decideCorrelation } from './decide';
import { evolveCorrelation } from './evolve';
import type { CorrelationIds } from './ids';
import { alertKeysOf } from './entity-keys';
import { arrivalsOf } from './held-feedback';
import {
  initialCorrelationState,
  isIncidentEvent,
  type CorrelationInput,
  type CorrelationState,
  type FeedbackRescoreInput,
  type TickInput,
} from './state';

/** The event-time clocks of a tick (see TickInput). */
export type TickClock = Omit<TickInput, 'kind'>;

/**
 * The decide-evolve loop for one partition's tenants: what a shell drives. Holds the state it
 * folds; returns only the publishable incident events (pending repeats stay inside).
 */
export interface Correlator {
  readonly state: CorrelationState;
  push(input: CorrelationInput): IncidentEvent[];
  /** The alerts of one input batch in order, then a flush tick (the batch's commit point). */
  correlateBatch(alerts: readonly CanonicalAlert[], clock?: TickClock): IncidentEvent[];
  /** Folds events already published (recovery from the incident topic). */
  replay(events: Iterable<IncidentEvent>): void;
}

export function createCorrelator(
  config: CorrelationConfig,
  ids: CorrelationIds,
  state: CorrelationState = initialCorrelationState(),
): Correlator {
  const push = (input: CorrelationInput, into: IncidentEvent[] = []): IncidentEvent[] => {
    // The alert's keys are derived once, for the decision and for the fold of its outputs.
    const keyed: CorrelationInput =
      input.kind === 'alert' && input.keys === undefined
        ? { kind: 'alert', alert: input.alert, keys: alertKeysOf(input.alert) }
        : input;
    const known =
      keyed.kind === 'alert' && keyed.keys !== undefined
        ? { alertId: keyed.alert.alertId, keys: keyed.keys }
        : undefined;
    let landedIn: string | undefined;
    const taught: FeedbackRescoreInput[] = [];
    const outputs = decideCorrelation(keyed, state, config, ids);
    for (const output of outputs) {
      evolveCorrelation(state, output, known);
      if (isIncidentEvent(output)) into.push(output);
      if (output.type === 'IncidentOpened' || output.type === 'AlertAttached')
        landedIn = output.data.incidentId;
      if (output.type === 'FeedbackApplied')
        taught.push({
          kind: 'feedback-rescore',
          tenantId: output.tenantId,
          rules: output.data.rules,
          cause: output.causationId,
        });
    }
    // Open incidents of the rules the feedback taught are rescored with the model that holds it.
    for (const rescore of taught) push(rescore, into);
    // Verdicts that came before the alert (a feed match, a cached verdict) join its incident.
    if (keyed.kind === 'alert' && known !== undefined && landedIn !== undefined)
      push(
        {
          kind: 'remembered-intel',
          tenantId: keyed.alert.tenantId,
          alertId: known.alertId,
          incidentId: landedIn,
          entityKeys: known.keys.entityKeys,
        },
        into,
      );
    // Feedback held for an alert these outputs put in an incident is applied there now.
    for (const arrival of arrivalsOf(state, outputs)) push(arrival, into);
    return into;
  };
  return {
    state,
    push: (input) => push(input),
    correlateBatch(alerts, clock = {}) {
      const events: IncidentEvent[] = [];
      for (const alert of alerts) push({ kind: 'alert', alert }, events);
      push({ kind: 'tick', ...clock }, events);
      return events;
    },
    replay(events) {
      for (const event of events) evolveCorrelation(state, event);
    },
  };
}

export interface EventTimeTicker {
  /** Feeds one alert's event time; true when event time moved on by the tick interval. */
  readonly observe: (eventTime: EpochMs) => boolean;
}

/**
 * Ticks from event time for offline runs: after the newest event time has advanced by
 * `everyMs` since the last tick (each tenant's watermark then follows its own event time).
 */
export function eventTimeTicker(everyMs: number): EventTimeTicker {
  let newest = -Infinity;
  let lastTick = -Infinity;
  return {
    observe(eventTime) {
      if (eventTime > newest) newest = eventTime;
      if (newest - lastTick < everyMs) return false;
      lastTick = newest;
      return true;
    },
  };
}

export interface OfflineCorrelation {
  readonly state: CorrelationState;
  /** One alert in arrival order, then a tick when event time has moved `tickEveryMs`. */
  push(alert: CanonicalAlert): IncidentEvent[];
  /** An analyst action, as the correlator service takes it from `soc.feedback.v1`. */
  feedback(event: FeedbackEvent): IncidentEvent[];
  /** The final flush: pending repeat counters, and whatever the last watermark closes. */
  finish(): IncidentEvent[];
}

/**
 * Offline, deterministic correlation for the CLI and benchmarks: alerts in the given (arrival)
 * order, a tick whenever event time has moved `tickEveryMs`, and a final flush. The same input
 * gives the same events on every run and machine.
 */
export function offlineCorrelation(
  config: CorrelationConfig,
  ids: CorrelationIds,
  { tickEveryMs = 1_000 }: { readonly tickEveryMs?: number } = {},
): OfflineCorrelation {
  const correlator = createCorrelator(config, ids);
  const ticker = eventTimeTicker(tickEveryMs);
  return {
    state: correlator.state,
    push(alert) {
      const events = correlator.push({ kind: 'alert', alert });
      const tenant = correlator.state.tenants.get(alert.tenantId);
      const { maxClockSkewMs } = policyFor(config, alert.tenantId, tenant).policy;
      if (ticker.observe(guardedEventTime(alert, maxClockSkewMs)))
        for (const event of correlator.push({ kind: 'tick' })) events.push(event);
      return events;
    },
    feedback: (event) => correlator.push({ kind: 'feedback', event }),
    finish: () => correlator.push({ kind: 'tick' }),
  };
}

/** `offlineCorrelation` over a whole sequence. */
export function correlateAll(
  alerts: Iterable<CanonicalAlert>,
  config: CorrelationConfig,
  ids: CorrelationIds,
  options: { readonly tickEveryMs?: number } = {},
): { readonly events: IncidentEvent[]; readonly state: CorrelationState } {
  const run = offlineCorrelation(config, ids, options);
  const events: IncidentEvent[] = [];
  for (const alert of alerts) for (const event of run.push(alert)) events.push(event);
  for (const event of run.finish()) events.push(event);
  return { events, state: run.state };
}
