import { scoreBreakdown } from './incident-queries';
import { decodeCursor, encodeCursor } from './queue-params';

describe('incident query helpers', () => {
  it('round-trips a cursor and refuses one it did not issue', () => {
    const cursor = {
      sort: 'priority' as const,
      priority: 72.5,
      lastSeen: '2025-01-15T09:00:00.123Z',
      incidentId: 'inc-9',
    };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    expect(decodeCursor('not-a-cursor')).toBeNull();
    expect(decodeCursor(Buffer.from('["age",1,"x","y"]').toString('base64url'))).toBeNull();
  });

  it('draws the score as factor bars, largest first, with adjustments apart', () => {
    const breakdown = scoreBreakdown(80, {
      summary: 'critical host',
      factors: [
        { name: 'severity', raw: 50, weight: 0.4, contribution: 20, reason: 'medium' },
        { name: 'business_context', raw: 100, weight: 0.3, contribution: 30, reason: 'tier 0' },
      ],
      adjustments: [{ name: 'kill_chain', points: 30, reason: 'lateral movement after execution' }],
    });
    expect(breakdown.factors.map((f) => [f.name, f.points])).toEqual([
      ['business_context', 30],
      ['severity', 20],
    ]);
    expect(breakdown).toMatchObject({
      priority: 80,
      weightedSum: 50,
      adjustments: [{ name: 'kill_chain', points: 30 }],
    });
    expect(scoreBreakdown(null, null)).toEqual({
      priority: null,
      summary: null,
      factors: [],
      adjustments: [],
      weightedSum: null,
    });
  });
});
