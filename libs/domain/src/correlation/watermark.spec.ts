import fc from 'fast-check';
import type { CanonicalAlert } from '@soc/contracts';
import { evolveCorrelation } from './evolve';
import {
  anAlert,
  configOf,
  Harness,
  host,
  MIN,
  only,
  T0,
  typesOf,
} from '../../test/correlation/spec-support';
import { initialCorrelationState, MAX_TRACKED_SOURCES, type SourceClock } from './state';
import { watermarkOf } from './watermark';

const clocks = (entries: Record<string, [number, number]>): Map<string, SourceClock> =>
  new Map(
    Object.entries(entries).map(([source, [newestEventTime, newestArrival]]) => [
      source,
      { newestEventTime, newestArrival },
    ]),
  );

describe('watermarkOf: per source', () => {
  const rule = { allowedLatenessMs: 2, idleTimeoutMs: 10 };

  it("is one source's newest event time minus the allowed lateness", () => {
    expect(watermarkOf({ ...rule, sources: clocks({ edr: [100, 100] }), newestArrival: 100 })).toBe(
      98,
    );
  });

  it('follows the slowest source that is still sending', () => {
    const sources = clocks({ wazuh: [100, 100], aminer: [40, 95] });
    expect(watermarkOf({ ...rule, sources, newestArrival: 100 })).toBe(38);
  });

  it('stops following a source once none of its alerts arrived for the idle timeout', () => {
    const sources = clocks({ wazuh: [100, 100], aminer: [40, 89] });
    expect(watermarkOf({ ...rule, sources, newestArrival: 100 })).toBe(98);
  });

  it('never goes below a watermark already reached, and has none before any alert', () => {
    const sources = clocks({ wazuh: [100, 100], aminer: [40, 95] });
    expect(watermarkOf({ ...rule, sources, newestArrival: 100, floor: 60 })).toBe(60);
    expect(watermarkOf({ ...rule, sources: new Map(), newestArrival: -Infinity })).toBe(-Infinity);
  });
});

describe('a source forwarding late, in the decider', () => {
  const config = configOf({ defaults: { allowedLatenessMs: 2 * MIN } });
  /** Arrives `delay` minutes after it fired. */
  const from = (sourceSystem: string, at: number, delay: number, extra = {}): CanonicalAlert => {
    const alert = anAlert({ sourceSystem, at, ...extra });
    return { ...alert, ingestedAt: alert.observedAt + delay * MIN };
  };

  /** Both sources known at 0; wazuh then runs an hour ahead of aminer, which keeps sending. */
  function hourBehind(): Harness {
    const h = new Harness(config);
    h.alert(from('aminer', -60, 60, { entities: [host('aminer-box')] }));
    h.alert(from('wazuh', 0, 0));
    for (let at = 5; at <= 60; at += 5) {
      h.alert(from('wazuh', at, 0, { ruleId: `W-${at}`, entities: [host(`srv-${at}`)] }));
      h.alert(from('aminer', at - 60, 60, { ruleId: 'A-beat', entities: [host('aminer-box')] }));
      h.push({ kind: 'tick' });
    }
    return h;
  }

  it("does not close another source's windows before the late source has caught up with them", () => {
    const h = hourBehind();
    expect(only(h.events, 'IncidentClosed')).toEqual([]);
  });

  it('lets the late source join the incident on time, with no LateAlertHandled', () => {
    const h = hourBehind();
    const [attached, ...rest] = h.alert(from('aminer', 3, 60, { ruleId: 'A-1' }));
    expect(attached?.type).toBe('AlertAttached');
    expect(typesOf(rest)).not.toContain('LateAlertHandled');
    expect(attached?.data.incidentId).toBe(
      h.events.find(
        (event) =>
          event.type === 'IncidentOpened' && event.data.firstAlert.entities[0]?.value === 'ws-01',
      )?.data.incidentId,
    );
  });

  it('closes the windows once the late source has gone quiet for the idle timeout', () => {
    const h = hourBehind();
    h.alert(from('wazuh', 90, 0, { ruleId: 'W-late', entities: [host('srv-90')] }));
    const closed = only(h.push({ kind: 'tick' }), 'IncidentClosed');
    expect(closed.length).toBeGreaterThan(0);
  });

  it('is rebuilt from the events: the same sources and watermark', () => {
    const h = hourBehind();
    const rebuilt = initialCorrelationState();
    for (const event of h.events) evolveCorrelation(rebuilt, event);
    expect(rebuilt.tenants.get('acme')?.sources).toEqual(h.state.tenants.get('acme')?.sources);
    expect(rebuilt.tenants.get('acme')?.watermark).toBe(h.state.tenants.get('acme')?.watermark);
  });

  it('tracks at most MAX_TRACKED_SOURCES sources, forgetting the one idle longest', () => {
    const h = new Harness(config);
    for (let i = 0; i <= MAX_TRACKED_SOURCES; i += 1)
      h.alert(from(`src-${i}`, i, 0, { ruleId: `R-${i}`, entities: [host(`h-${i}`)] }));
    const sources = h.state.tenants.get('acme')?.sources;
    expect(sources?.size).toBe(MAX_TRACKED_SOURCES);
    expect(sources?.has('src-0')).toBe(false);
    expect(sources?.has(`src-${MAX_TRACKED_SOURCES}`)).toBe(true);
  });
});

describe('a source with a steady delay beyond the allowed lateness (property)', () => {
  const SECOND = 1_000;
  const config = configOf({
    defaults: { allowedLatenessMs: 5 * 60 * SECOND, maxIncidentSpanMs: 30 * 24 * 3_600 * SECOND },
  });
  const spec = fc.record({
    seconds: fc.integer({ min: 0, max: 3 * 3_600 }),
    host: fc.constantFrom('ws-01', 'ws-02', 'ws-03', 'srv-01'),
    slow: fc.boolean(),
  });

  /** Each alert then a tick; returns the grouping and the late alerts. */
  function deliver(alerts: readonly CanonicalAlert[]): { grouping: string[][]; late: number } {
    const h = new Harness(config);
    for (const alert of alerts) {
      h.alert(alert);
      h.push({ kind: 'tick' });
    }
    h.push({ kind: 'tick', watermark: Infinity });
    return { grouping: h.grouping(), late: only(h.events, 'LateAlertHandled').length };
  }

  it('groups as time order and counts nothing late, however long the delay, while the source keeps sending', () => {
    fc.assert(
      fc.property(
        fc.array(spec, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 10, max: 6 * 60 }),
        (specs, delayMinutes) => {
          const delay = delayMinutes * MIN;
          // The slow source's own steady stream (every 5 minutes, on a host of its own), from
          // before the first alert on: it is known and active throughout.
          const beats = [];
          for (let at = -delay; at <= 3 * 3_600 * SECOND + delay; at += 5 * MIN)
            beats.push({ seconds: at / SECOND, host: 'beat', slow: true });
          const alerts = [...beats, ...specs].map((s, index) => {
            const observedAt = T0 + s.seconds * SECOND;
            return anAlert({
              alertId: `p${index}`,
              sourceSystem: s.slow ? 'slow' : 'fast',
              observedAt,
              ingestedAt: observedAt + (s.slow ? delay : 0),
              entities: [host(s.host)],
            });
          });
          const byArrival = [...alerts].sort((a, b) => a.ingestedAt - b.ingestedAt);
          const byEventTime = [...alerts]
            .sort((a, b) => a.observedAt - b.observedAt)
            .map((alert) => ({ ...alert, ingestedAt: alert.observedAt }));
          const delayed = deliver(byArrival);
          expect(delayed.late).toBe(0);
          expect(delayed.grouping).toEqual(deliver(byEventTime).grouping);
        },
      ),
      { numRuns: 60, seed: 20261202 },
    );
  });
});
