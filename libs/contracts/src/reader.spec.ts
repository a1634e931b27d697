import { INCIDENT_STATUSES } from './feedback-events';
import { isObject, isOneOf, narrow } from './reader';

describe('the reader kit', () => {
  it('takes only plain objects for objects: not arrays, null or primitives', () => {
    expect([{}, { a: 1 }].map(isObject)).toEqual([true, true]);
    expect([[], null, 'x', 3, undefined].map(isObject)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('narrows to a member of a const list and nothing else', () => {
    expect(isOneOf(INCIDENT_STATUSES, 'closed')).toBe(true);
    expect(isOneOf(INCIDENT_STATUSES, 'done')).toBe(false);
    expect(narrow.oneOf(INCIDENT_STATUSES)(3)).toEqual({
      ok: false,
      expected: 'one of open, acknowledged, in_progress, closed',
      at: '',
    });
  });

  it('bounds strings in characters and says which bound failed', () => {
    const name = narrow.text({ min: 1, max: 5 });
    expect(name('alice')).toEqual({ ok: true, value: 'alice' });
    expect(name('')).toMatchObject({ ok: false, expected: 'a non-empty string' });
    expect(name('mallory')).toMatchObject({ ok: false, expected: 'at most 5 characters' });
    expect(name(7)).toMatchObject({ ok: false, expected: 'a non-empty string' });
  });

  it('refuses non-finite numbers, fractions where integers are asked, and values out of range', () => {
    const percent = narrow.number({ integer: true, min: 0, max: 100 });
    expect(percent(40)).toEqual({ ok: true, value: 40 });
    expect(percent(Number.NaN)).toMatchObject({ expected: 'a number' });
    expect(percent(4.5)).toMatchObject({ expected: 'an integer' });
    expect(percent(101)).toMatchObject({ expected: 'between 0 and 100' });
  });

  it('reads absent and null as null when optional, and keeps the inner reason otherwise', () => {
    const notes = narrow.optional(narrow.text());
    expect(notes(undefined)).toEqual({ ok: true, value: null });
    expect(notes(null)).toEqual({ ok: true, value: null });
    expect(notes(1)).toMatchObject({ ok: false, expected: 'a string or null' });
  });

  it('names the index of the first array item that fails', () => {
    const entities = narrow.arrayOf(narrow.object);
    expect(entities([{}, {}])).toMatchObject({ ok: true });
    expect(entities([{}, 'host'])).toEqual({ ok: false, expected: 'an object', at: '[1]' });
    expect(narrow.arrayOf(narrow.text(), { of: 'strings' })(['a', 2])).toEqual({
      ok: false,
      expected: 'an array of strings',
      at: '',
    });
  });
});
