import { noteSeverity, severityVaries, type SeverityRange } from './severity-range';

describe('severity ranges', () => {
  it('calls severity informative only for a detector that has sent more than one level', () => {
    const ranges = new Map<string, SeverityRange>();
    expect(severityVaries(ranges, 'aminer', 33)).toBe(false);
    for (let i = 0; i < 100; i += 1) noteSeverity(ranges, 'aminer', 33);
    expect(severityVaries(ranges, 'aminer', 33)).toBe(false);
    // The first different level is itself information.
    expect(severityVaries(ranges, 'aminer', 80)).toBe(true);
    noteSeverity(ranges, 'edr', 20);
    noteSeverity(ranges, 'edr', 90);
    expect(severityVaries(ranges, 'edr', 20)).toBe(true);
  });
});
