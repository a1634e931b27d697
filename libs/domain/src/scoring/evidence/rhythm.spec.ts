import { keepsRhythm, newRhythm, noteFiring } from './rhythm';

const HOUR = 3_600_000;

describe('rhythm', () => {
  it('recognises a schedule after a few steady gaps, and not a burst', () => {
    const hourly = newRhythm();
    for (let i = 0; i < 5; i += 1) noteFiring(hourly, i * HOUR);
    expect(keepsRhythm(hourly, 5 * HOUR)).toBe(true);
    expect(keepsRhythm(hourly, 5 * HOUR + 30 * 60_000)).toBe(false);

    const burst = newRhythm();
    for (let i = 0; i < 50; i += 1) noteFiring(burst, i * 1_000);
    expect(keepsRhythm(burst, 50_000)).toBe(false);
  });

  it('needs a few gaps before it calls anything a schedule', () => {
    const rhythm = newRhythm();
    noteFiring(rhythm, 0);
    noteFiring(rhythm, HOUR);
    expect(keepsRhythm(rhythm, 2 * HOUR)).toBe(false);
    expect(keepsRhythm(undefined, 0)).toBe(false);
  });
});
