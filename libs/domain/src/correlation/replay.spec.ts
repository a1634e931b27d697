import type { CanonicalAlert, IncidentEvent } from '@soc/contracts';
import { generateLabeledAlerts } from '../simulation';
import { configOf, Harness, MIN } from '../../test/correlation/spec-support';
import { evolveCorrelation } from './evolve';
import { initialCorrelationState, type CorrelationInput, type CorrelationState } from './state';

/**
 * The state is a fold of the published incident events: a correlator that restarts at a flush
 * boundary (right after a tick) and replays its own output continues exactly as if it had
 * never stopped.
 */
const config = configOf({
  defaults: {
    allowedLatenessMs: 2 * MIN,
    campaign: { horizonMs: 3 * 60 * MIN, riskThreshold: 200 },
  },
});
const traffic = generateLabeledAlerts({
  seed: 'replay',
  tenants: 3,
  alertCount: 2_500,
  durationMs: 10 * 60 * MIN,
  lateFraction: 0.01,
});

function inputsOf(alerts: readonly CanonicalAlert[]): CorrelationInput[] {
  const inputs: CorrelationInput[] = [];
  let newest = -Infinity;
  alerts.forEach((alert, index) => {
    inputs.push({ kind: 'alert', alert });
    newest = Math.max(newest, alert.observedAt);
    if (index % 20 === 19) inputs.push({ kind: 'tick', watermark: newest - 2 * MIN });
  });
  inputs.push({ kind: 'tick', watermark: newest + 60 * MIN });
  return inputs;
}

/** A plain, order-normalized picture of the state, for comparing two states. */
function snapshot(state: CorrelationState): unknown {
  const sortedRanges = (ranges: readonly number[]): number[][] => {
    const pairs: number[][] = [];
    for (let i = 0; i < ranges.length; i += 2)
      pairs.push([ranges[i] as number, ranges[i + 1] as number]);
    return pairs.sort((a, b) => (a[0] as number) - (b[0] as number));
  };
  return [...state.tenants.values()].map((tenant) => ({
    tenantId: tenant.tenantId,
    incidentCounter: tenant.incidentCounter,
    unattachedSequence: tenant.unattachedSequence,
    watermark: tenant.watermark,
    maxEventTime: tenant.maxEventTime,
    open: [...tenant.open.values()].map((incident) => ({
      ...incident,
      links: [...incident.links.values()]
        .map((link) => [
          link.key,
          link.incident.id,
          sortedRanges([link.min, link.max, ...(link.more ?? [])]),
        ])
        .sort(),
      repeats: [...incident.repeats.values()].map((series) => ({ ...series })),
      rules: incident.rules === null ? [incident.rule] : [...incident.rules].sort(),
    })),
    index: [...tenant.index.entries()]
      .map(([key, value]) => [
        key,
        (value instanceof Set ? [...value] : [value]).map((link) => link.incident.id).sort(),
      ])
      .sort(),
    windowDeadlines: [...tenant.windowDeadlines.entries()]
      .map(([b, set]) => [b, [...set].map((i) => i.id).sort()])
      .sort(),
    entities: [...tenant.entities.entries()].sort(),
    closed: [...tenant.closed.entries()].sort(),
    campaigns: [...tenant.campaigns.entries()].sort(),
    pending: [...tenant.pending],
    // The learned baseline (rarity, rhythm, severity ranges) is a fold of the events too, so a
    // restarted correlator scores the next alert exactly as the one that never stopped.
    baseline: tenant.baseline,
  }));
}

describe('replaying the published events', () => {
  const inputs = inputsOf(traffic.map((labeled) => labeled.alert));
  const live = new Harness(config);
  const eventsAfterInput: number[] = [];
  for (const input of inputs) {
    live.push(input);
    eventsAfterInput.push(live.events.length);
  }
  const boundaries = inputs.flatMap((input, index) => (input.kind === 'tick' ? [index] : []));
  const cuts = [0.1, 0.3, 0.5, 0.7, 0.9].map(
    (share) => boundaries[Math.floor(share * boundaries.length)] as number,
  );

  it('publishes a realistic mix of every kind of decision', () => {
    const types = new Set(live.events.map((event) => event.type));
    for (const type of [
      'IncidentOpened',
      'AlertAttached',
      'IncidentRepeatsCounted',
      'IncidentsMerged',
      'IncidentScored',
      'CampaignLinked',
      'IncidentClosed',
      'LateAlertHandled',
    ] as const) {
      expect(types).toContain(type);
    }
  });

  it('rebuilds the same state from a log of the older shape, one AlertRepeatsCounted per series', () => {
    // Each counter keeps its event's sequence, so the two logs end on the same sequences.
    const perSeries = live.events.flatMap((event): IncidentEvent[] =>
      event.type === 'IncidentRepeatsCounted'
        ? event.data.series.map((count) => ({
            ...event,
            type: 'AlertRepeatsCounted',
            data: { incidentId: event.data.incidentId, ...count },
          }))
        : [event],
    );
    expect(perSeries.length).toBeGreaterThan(live.events.length);
    const fold = (events: readonly IncidentEvent[]): CorrelationState => {
      const state = initialCorrelationState();
      for (const event of events) evolveCorrelation(state, event);
      return state;
    };
    expect(snapshot(fold(perSeries))).toEqual(snapshot(fold(live.events)));
  });

  it.each(cuts.map((cut) => [cut]))(
    'rebuilds, from the events published up to the tick at input %i, a state that decides the rest identically',
    (cut) => {
      const published = live.events.slice(0, eventsAfterInput[cut]);
      const replayed = initialCorrelationState();
      for (const event of published) evolveCorrelation(replayed, event);

      const reference = new Harness(config);
      for (const input of inputs.slice(0, cut + 1)) reference.push(input);
      expect(snapshot(replayed)).toEqual(snapshot(reference.state));

      const resumed = new Harness(config, replayed);
      for (const input of inputs.slice(cut + 1)) resumed.push(input);
      const expected: IncidentEvent[] = live.events.slice(eventsAfterInput[cut]);
      expect(resumed.events).toEqual(expected);
      const priorities = (events: readonly IncidentEvent[]) =>
        events.flatMap((e) => (e.type === 'IncidentScored' ? [e.data.priority] : []));
      expect(priorities(resumed.events)).toEqual(priorities(expected));
      expect(new Set(priorities(expected)).size).toBeGreaterThan(10);
    },
  );
});
