import fc from 'fast-check';
import { addRisk, notableAsOf, rememberNotable, riskAsOf, RISK_BUCKET_MS } from './risk-history';
import { ENTITY_NOTABLE_INCIDENTS, type EntityMemory } from './state';

const HOUR = 3_600_000;
const HORIZON = 24 * HOUR;
const HALF_LIFE = HORIZON / 4;
const T0 = Date.UTC(2022, 0, 19);

const emptyMemory = (at: number): EntityMemory => ({
  risk: 0,
  at,
  halfLifeMs: HALF_LIFE,
  expiresAt: at + HORIZON,
  riskBuckets: [],
  riskHistoryFrom: -Infinity,
  incidents: [],
  notable: [],
});

/** A memory holding `rows` in the order given. */
function memoryOf(rows: readonly { readonly time: number; readonly risk: number }[]): EntityMemory {
  const memory = emptyMemory((rows[0] as { time: number }).time);
  for (const row of rows) addRisk(memory, { ...row, keepMs: HORIZON });
  return memory;
}

const decayed = (risk: number, ageMs: number): number => risk * Math.pow(0.5, ageMs / HALF_LIFE);

describe('entity risk history', () => {
  it('reads the decayed sum for a row in time order', () => {
    const memory = memoryOf([
      { time: T0, risk: 100 },
      { time: T0 + 2 * HOUR, risk: 60 },
    ]);
    const time = T0 + 5 * HOUR;
    expect(riskAsOf(memory, { time, contribution: 10 })).toBeCloseTo(
      decayed(100, 5 * HOUR) + decayed(60, 3 * HOUR) + 10,
      9,
    );
  });

  it('reads a late row its risk as of its own time, leaving out what came after it', () => {
    const rows = [
      { time: T0, risk: 100 },
      { time: T0 + 6 * HOUR, risk: 200 },
      { time: T0 + 7 * HOUR, risk: 80 },
    ];
    const late = { time: T0 + HOUR, contribution: 50 };
    const expected = decayed(100, HOUR) + 50;
    expect(riskAsOf(memoryOf(rows), late)).toBeCloseTo(expected, 9);
    // The newest reading, as before: the late contribution decayed to the newest time.
    expect(riskAsOf(memoryOf(rows), late)).toBeGreaterThan(
      decayed(100, 7 * HOUR) + decayed(200, HOUR) + 80 + decayed(50, 6 * HOUR) - 200,
    );
  });

  it('counts the late row its own quarter hour in full', () => {
    const rows = [
      { time: T0, risk: 100 },
      { time: T0 + 10 * 60_000, risk: 30 },
      { time: T0 + 3 * HOUR, risk: 1 },
    ];
    expect(riskAsOf(memoryOf(rows), { time: T0 + 60_000, contribution: 0 })).toBeCloseTo(
      decayed(100, 60_000) + decayed(30, -9 * 60_000),
      9,
    );
  });

  it('reads a row older than its history as if it arrived at the newest time', () => {
    const rows = [
      { time: T0, risk: 100 },
      { time: T0 + 30 * HOUR, risk: 100 },
    ];
    const memory = memoryOf(rows);
    expect(memory.riskHistoryFrom).toBeGreaterThan(T0);
    expect(riskAsOf(memory, { time: T0 + HOUR, contribution: 40 })).toBeCloseTo(
      decayed(100, 30 * HOUR) + 100 + decayed(40, 29 * HOUR),
      9,
    );
  });

  it('keeps only the horizon of buckets, one per quarter hour that brought risk', () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({
      time: T0 + i * RISK_BUCKET_MS,
      risk: 1,
    }));
    const memory = memoryOf(rows);
    expect(memory.riskBuckets).toHaveLength(2 * (HORIZON / RISK_BUCKET_MS + 1));
    addRisk(memory, { time: memory.at + 1, risk: 0, keepMs: HORIZON });
    expect(memory.riskBuckets).toHaveLength(2 * (HORIZON / RISK_BUCKET_MS + 1));
  });

  it('reads the same risk at any time within the history, whatever order the rows came in', () => {
    const row = fc.record({
      time: fc.integer({ min: 0, max: 20 * 60 }).map((minutes) => T0 + minutes * 60_000),
      risk: fc.double({ min: 0, max: 100, noNaN: true }),
    });
    fc.assert(
      fc.property(
        fc.array(row, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 20 * 60 }),
        (rows, minutes) => {
          const inOrder = [...rows].sort((a, b) => a.time - b.time);
          const time = T0 + minutes * 60_000;
          const quarter = time - (time % RISK_BUCKET_MS) + RISK_BUCKET_MS;
          // What time order shows a row at `time`: everything up to the end of its quarter hour.
          const before = inOrder.filter((r) => r.time < quarter);
          const expected = before.reduce(
            (sum, r) => sum + r.risk * Math.pow(0.5, (time - r.time) / HALF_LIFE),
            0,
          );
          const memory = memoryOf(rows);
          if (time < memory.at)
            expect(riskAsOf(memory, { time, contribution: 0 })).toBeCloseTo(expected, 6);
          expect(memory.risk).toBeCloseTo(memoryOf(inOrder).risk, 6);
        },
      ),
    );
  });
});

describe('notable sightings', () => {
  it('lists the latest notable incidents up to a time, in time order, however they arrived', () => {
    const memory = emptyMemory(T0);
    rememberNotable(memory, 'late', T0 + HOUR);
    rememberNotable(memory, 'b', T0 + 3 * HOUR);
    rememberNotable(memory, 'a', T0);
    rememberNotable(memory, 'c', T0 + 2 * HOUR);
    expect(notableAsOf(memory, T0 + 2 * HOUR)).toEqual(['a', 'late', 'c']);
    expect(notableAsOf(memory, Infinity)).toEqual(['a', 'late', 'c', 'b']);
  });

  it('moves an incident seen again to its latest time and never back', () => {
    const memory = emptyMemory(T0);
    rememberNotable(memory, 'a', T0);
    rememberNotable(memory, 'b', T0 + HOUR);
    rememberNotable(memory, 'a', T0 + 2 * HOUR);
    rememberNotable(memory, 'a', T0 + 30 * 60_000);
    expect(memory.notable).toEqual([
      { incidentId: 'b', at: T0 + HOUR },
      { incidentId: 'a', at: T0 + 2 * HOUR },
    ]);
  });

  it('links at most the latest ENTITY_NOTABLE_INCIDENTS, and keeps older ones for late rows', () => {
    const memory = emptyMemory(T0);
    const count = 2 * ENTITY_NOTABLE_INCIDENTS;
    for (let i = 0; i < count + 1; i += 1) rememberNotable(memory, `i${i}`, T0 + i * HOUR);
    expect(notableAsOf(memory, Infinity)).toEqual(
      Array.from(
        { length: ENTITY_NOTABLE_INCIDENTS },
        (_, k) => `i${count + 1 - ENTITY_NOTABLE_INCIDENTS + k}`,
      ),
    );
    expect(notableAsOf(memory, T0 + 3 * HOUR)).toEqual(['i1', 'i2', 'i3']);
  });
});
