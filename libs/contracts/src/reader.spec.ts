import { INCIDENT_STATUSES } from './feedback-events';
import { isObject, isOneOf, narrow, type Narrowing } from './reader';

/** The narrowing's answer for `value`: accepted, or why not. */
const answer = <T>(narrowing: Narrowing<T>, value: unknown) =>
  narrowing.is(value) ? { ok: true } : { ok: false, ...narrowing.why(value) };

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
    expect(answer(narrow.oneOf(INCIDENT_STATUSES), 3)).toEqual({
      ok: false,
      expected: 'one of open, acknowledged, in_progress, closed',
      at: '',
    });
  });

  it('bounds strings in characters and says which bound failed', () => {
    const name = narrow.text({ min: 1, max: 5 });
    expect(answer(name, 'alice')).toEqual({ ok: true });
    expect(answer(name, '')).toMatchObject({ ok: false, expected: 'a non-empty string' });
    expect(answer(name, 'mallory')).toMatchObject({ ok: false, expected: 'at most 5 characters' });
    expect(answer(name, 7)).toMatchObject({ ok: false, expected: 'a non-empty string' });
    expect(answer(narrow.text({ min: 3 }), 'ab')).toMatchObject({
      expected: 'at least 3 characters',
    });
  });

  it('refuses non-finite numbers, fractions where integers are asked, and values out of range', () => {
    const percent = narrow.number({ integer: true, min: 0, max: 100 });
    expect(answer(percent, 40)).toEqual({ ok: true });
    expect(answer(percent, Number.NaN)).toMatchObject({ expected: 'a number' });
    expect(answer(percent, 4.5)).toMatchObject({ expected: 'an integer' });
    expect(answer(percent, 101)).toMatchObject({ expected: 'between 0 and 100' });
  });

  it('accepts absent and null when optional, and keeps the inner reason otherwise', () => {
    const notes = narrow.optional(narrow.text());
    expect([answer(notes, undefined), answer(notes, null)]).toEqual([{ ok: true }, { ok: true }]);
    expect(answer(notes, 1)).toMatchObject({ ok: false, expected: 'a string or null' });
  });

  it('names the index of the first array item that fails', () => {
    const entities = narrow.arrayOf(narrow.object);
    expect(answer(entities, [{}, {}])).toEqual({ ok: true });
    expect(answer(entities, [{}, 'host'])).toEqual({ ok: false, expected: 'an object', at: '[1]' });
    expect(answer(narrow.arrayOf(narrow.text(), { of: 'strings' }), ['a', 2])).toEqual({
      ok: false,
      expected: 'an array of strings',
      at: '',
    });
  });
});
