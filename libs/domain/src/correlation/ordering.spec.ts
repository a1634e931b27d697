import fc from 'fast-check';
import type { AlertEntity, CanonicalAlert } from '@soc/contracts';
import {
  anAlert,
  configOf,
  Harness,
  host,
  ip,
  T0,
  user,
} from '../../test/correlation/spec-support';

/**
 * Arrival order does not matter within the allowed lateness: any delivery order in which no
 * alert arrives more than the allowed lateness after its event time gives the same incidents
 * (the same grouping of alert ids), as long as no incident reaches its max span.
 */
const SECOND = 1_000;
const LATENESS = 5 * 60 * SECOND;
const config = configOf({
  defaults: {
    windowMs: 15 * 60 * SECOND,
    allowedLatenessMs: LATENESS,
    maxIncidentSpanMs: 30 * 24 * 3_600 * SECOND,
  },
});

const entityPool: AlertEntity[] = [
  host('ws-01'),
  host('ws-02'),
  host('ws-03'),
  host('srv-01'),
  user('acme\\alice'),
  user('acme\\bob'),
  ip('203.0.113.5'),
  ip('203.0.113.9'),
];

const alertSpec = fc.record({
  seconds: fc.integer({ min: 0, max: 3 * 3_600 }),
  entities: fc.subarray(entityPool, { minLength: 0, maxLength: 3 }),
  rule: fc.constantFrom('R-1', 'R-2', 'R-3'),
  tenantId: fc.constantFrom('acme', 'globex'),
  delaySeconds: fc.integer({ min: 0, max: LATENESS / SECOND }),
});

function deliver(
  alerts: readonly { readonly alert: CanonicalAlert; readonly arrival: number }[],
): string[][] {
  const h = new Harness(config);
  let newest = -Infinity;
  for (const { alert } of alerts) {
    h.alert(alert);
    newest = Math.max(newest, alert.observedAt);
    h.push({ kind: 'tick', watermark: newest - LATENESS });
  }
  h.push({ kind: 'tick', watermark: -Infinity });
  return h.grouping();
}

describe('correlation under out-of-order delivery', () => {
  it('groups alerts the same way for every arrival order whose disorder stays within the allowed lateness', () => {
    fc.assert(
      fc.property(fc.array(alertSpec, { minLength: 1, maxLength: 40 }), (specs) => {
        const alerts = specs.map((spec, index) => {
          const alert = anAlert({
            alertId: `x${index}`,
            tenantId: spec.tenantId,
            observedAt: T0 + spec.seconds * SECOND,
            ruleId: spec.rule,
            entities: spec.entities,
          });
          return { alert, arrival: alert.observedAt + spec.delaySeconds * SECOND };
        });
        const byEventTime = [...alerts].sort(
          (a, b) => a.alert.observedAt - b.alert.observedAt || a.arrival - b.arrival,
        );
        const byArrival = [...alerts].sort(
          (a, b) => a.arrival - b.arrival || a.alert.observedAt - b.alert.observedAt,
        );
        expect(deliver(byArrival)).toEqual(deliver(byEventTime));
      }),
      { numRuns: 300, seed: 20250115 },
    );
  });

  it('emits no LateAlertHandled for such orders', () => {
    fc.assert(
      fc.property(fc.array(alertSpec, { minLength: 1, maxLength: 30 }), (specs) => {
        const h = new Harness(config);
        const alerts = specs
          .map((spec, index) => {
            const alert = anAlert({
              alertId: `y${index}`,
              tenantId: spec.tenantId,
              observedAt: T0 + spec.seconds * SECOND,
              entities: spec.entities,
            });
            return { alert, arrival: alert.observedAt + spec.delaySeconds * SECOND };
          })
          .sort((a, b) => a.arrival - b.arrival);
        let newest = -Infinity;
        for (const { alert } of alerts) {
          h.alert(alert);
          newest = Math.max(newest, alert.observedAt);
          h.push({ kind: 'tick', watermark: newest - LATENESS });
        }
        expect(h.events.filter((event) => event.type === 'LateAlertHandled')).toEqual([]);
      }),
      { numRuns: 100, seed: 7 },
    );
  });

  // Closed incidents are found again through their entities: an alert with no linking entity
  // (linked by its repeat key alone) does not reopen one, so the generated alerts carry one.
  it('groups alerts the same way as time order for any arrival order within the revision horizon', () => {
    const linked = alertSpec.filter((spec) => spec.entities.length > 0);
    const permuted = fc
      .array(fc.tuple(linked, fc.integer()), { minLength: 1, maxLength: 30 })
      .map((pairs) =>
        pairs.map(([spec, arrivalKey], index) => ({
          alert: anAlert({
            alertId: `z${index}`,
            tenantId: spec.tenantId,
            observedAt: T0 + spec.seconds * SECOND,
            ruleId: spec.rule,
            entities: spec.entities,
          }),
          arrival: arrivalKey,
        })),
      );
    fc.assert(
      fc.property(permuted, (alerts) => {
        const byEventTime = [...alerts].sort(
          (a, b) => a.alert.observedAt - b.alert.observedAt || a.arrival - b.arrival,
        );
        const anyOrder = [...alerts].sort((a, b) => a.arrival - b.arrival);
        expect(deliverTicking(anyOrder)).toEqual(deliverTicking(byEventTime));
      }),
      { numRuns: 300, seed: 20261201 },
    );
  });
});

/** Each alert then a tick: every tenant's watermark follows its own newest event time. */
function deliverTicking(alerts: readonly { readonly alert: CanonicalAlert }[]): string[][] {
  const h = new Harness(config);
  for (const { alert } of alerts) {
    h.alert(alert);
    h.push({ kind: 'tick' });
  }
  return h.grouping();
}
