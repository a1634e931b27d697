/**
 * The one kit for untyped input (HTTP bodies, JSON lines, decoded records, tokens, config
 * files): decode to `unknown`, then narrow. Each narrowing answers the typed value or what
 * was expected instead, as a phrase ("a string", "at most 200 characters", "one of a, b"), so
 * each door words its own errors ("must be ...", "expected ...") from the same checks.
 */

/** A JSON object as decoded from untrusted input: string keys, values still unknown. */
export type JsonObject = { readonly [key: string]: unknown };

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const isString = (value: unknown): value is string => typeof value === 'string';

/** A finite number: NaN and the infinities are not numbers any input means. */
export const isNumber = (value: unknown): value is number =>
  typeof value === 'number' && Number.isFinite(value);

/** Whether `value` is one of `list`, narrowing it to the list's member type. */
export const isOneOf = <T extends string>(list: readonly T[], value: unknown): value is T =>
  typeof value === 'string' && (list as readonly string[]).includes(value);

export type Narrowed<T> =
  | { readonly ok: true; readonly value: T }
  | {
      readonly ok: false;
      readonly expected: string;
      /** Where inside the value the check failed (`[3]`, `[3].type`); empty at the value itself. */
      readonly at: string;
    };

/** Narrows an unknown value to `T`, or says what was expected. */
export type Narrowing<T> = (value: unknown) => Narrowed<T>;

const valid = <T>(value: T): Narrowed<T> => ({ ok: true, value });
const invalid = (expected: string, at = ''): Narrowed<never> => ({ ok: false, expected, at });

/** A string of `min` to `max` characters (`min: 1` is "a non-empty string"). */
const text =
  ({
    min = 0,
    max = Infinity,
  }: { readonly min?: number; readonly max?: number } = {}): Narrowing<string> =>
  (value) => {
    if (typeof value !== 'string') return invalid(min > 0 ? 'a non-empty string' : 'a string');
    if (value.length < min)
      return invalid(min === 1 ? 'a non-empty string' : `at least ${min} characters`);
    if (value.length > max) return invalid(`at most ${max} characters`);
    return valid(value);
  };

/** A finite number, an integer when asked, within [min, max]. */
const number =
  ({
    integer = false,
    min = -Infinity,
    max = Infinity,
  }: {
    readonly integer?: boolean;
    readonly min?: number;
    readonly max?: number;
  } = {}): Narrowing<number> =>
  (value) => {
    if (!isNumber(value)) return invalid('a number');
    if (integer && !Number.isInteger(value)) return invalid('an integer');
    if (value < min || value > max) return invalid(`between ${min} and ${max}`);
    return valid(value);
  };

export const boolean: Narrowing<boolean> = (value) =>
  typeof value === 'boolean' ? valid(value) : invalid('a boolean');

/** One of a const list (`INCIDENT_STATUSES`), typed as its member union. */
const oneOf =
  <T extends string>(list: readonly T[]): Narrowing<T> =>
  (value) =>
    isOneOf(list, value) ? valid(value) : invalid(`one of ${list.join(', ')}`);

export const object: Narrowing<JsonObject> = (value) =>
  isObject(value) ? valid(value) : invalid('an object');

/** Absent (`undefined`) or `null` reads as `null`; anything else must pass `narrow`. */
const optional =
  <T>(narrow: Narrowing<T>): Narrowing<T | null> =>
  (value) => {
    if (value === undefined || value === null) return valid(null);
    const result = narrow(value);
    return result.ok ? result : invalid(`${result.expected} or null`, result.at);
  };

/** An array whose every item passes `item`; a failure names the item's index. */
const arrayOf =
  <T>(item: Narrowing<T>, { of }: { readonly of?: string } = {}): Narrowing<readonly T[]> =>
  (value) => {
    if (!Array.isArray(value)) return invalid(of ? `an array of ${of}` : 'an array');
    for (let i = 0; i < value.length; i += 1) {
      const result = item(value[i]);
      if (!result.ok) {
        return of ? invalid(`an array of ${of}`) : invalid(result.expected, `[${i}]${result.at}`);
      }
    }
    return valid(value as readonly T[]);
  };

/** Any array, its items still unknown. */
export const array: Narrowing<readonly unknown[]> = (value) =>
  Array.isArray(value) ? valid(value) : invalid('an array');

/** The narrowings, by the shape they accept: `narrow.text({ max: 200 })`, `narrow.oneOf(LIST)`. */
export const narrow = { text, number, boolean, oneOf, object, optional, arrayOf, array } as const;
