/**
 * The one kit for untyped input (HTTP bodies, JSON lines, decoded records, tokens, config
 * files): decode to `unknown`, then narrow. A narrowing is a type guard (`is`, no allocation,
 * so it serves hot paths such as the projector's event guard) and, for a value it refuses,
 * what was expected instead (`why`): a phrase ("a string", "at most 200 characters", "one of
 * a, b") from which each door words its own errors ("must be ...", "expected ...").
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

/** Why a value was refused: what was expected, and where inside it (`[3]`; empty at the value). */
export interface Refusal {
  readonly expected: string;
  readonly at: string;
}

export interface Narrowing<T> {
  readonly is: (value: unknown) => value is T;
  /** Only for a value `is` refused. */
  readonly why: (value: unknown) => Refusal;
}

const refusal = (expected: string, at = ''): Refusal => ({ expected, at });

/** A string of `min` to `max` characters (`min: 1` is "a non-empty string"). */
function text({ min = 0, max = Infinity }: { min?: number; max?: number } = {}): Narrowing<string> {
  return {
    is: (value): value is string =>
      typeof value === 'string' && value.length >= min && value.length <= max,
    why: (value) =>
      typeof value !== 'string' || (value.length < min && min === 1)
        ? refusal(min > 0 ? 'a non-empty string' : 'a string')
        : value.length < min
          ? refusal(`at least ${min} characters`)
          : refusal(`at most ${max} characters`),
  };
}

/** A finite number, an integer when asked, within [min, max]. */
function number({
  integer = false,
  min = -Infinity,
  max = Infinity,
}: { integer?: boolean; min?: number; max?: number } = {}): Narrowing<number> {
  return {
    is: (value): value is number =>
      isNumber(value) && (!integer || Number.isInteger(value)) && value >= min && value <= max,
    why: (value) =>
      !isNumber(value)
        ? refusal('a number')
        : integer && !Number.isInteger(value)
          ? refusal('an integer')
          : refusal(`between ${min} and ${max}`),
  };
}

const boolean: Narrowing<boolean> = {
  is: (value): value is boolean => typeof value === 'boolean',
  why: () => refusal('a boolean'),
};

/** One of a const list (`INCIDENT_STATUSES`), typed as its member union. */
const oneOf = <T extends string>(list: readonly T[]): Narrowing<T> => ({
  is: (value): value is T => isOneOf(list, value),
  why: () => refusal(`one of ${list.join(', ')}`),
});

const object: Narrowing<JsonObject> = { is: isObject, why: () => refusal('an object') };

/** Any array, its items still unknown. */
const array: Narrowing<readonly unknown[]> = {
  is: (value): value is readonly unknown[] => Array.isArray(value),
  why: () => refusal('an array'),
};

/** Absent (`undefined`) or `null` is accepted (read it as `null`); anything else must pass. */
const optional = <T>(inner: Narrowing<T>): Narrowing<T | null | undefined> => ({
  is: (value): value is T | null | undefined =>
    value === undefined || value === null || inner.is(value),
  why: (value) => {
    const { expected, at } = inner.why(value);
    return refusal(`${expected} or null`, at);
  },
});

/**
 * An array whose every item passes `item`. A refusal names the first failing item's index,
 * or, given `of`, the whole ("an array of strings").
 */
const arrayOf = <T>(
  item: Narrowing<T>,
  { of }: { readonly of?: string } = {},
): Narrowing<readonly T[]> => ({
  is: (value): value is readonly T[] => Array.isArray(value) && value.every(item.is),
  why: (value) => {
    if (!Array.isArray(value) || of) return refusal(of ? `an array of ${of}` : 'an array');
    const index = value.findIndex((v) => !item.is(v));
    const inner = item.why(value[index]);
    return refusal(inner.expected, `[${index}]${inner.at}`);
  },
});

/** The narrowings, by the shape they accept: `narrow.text({ max: 200 })`, `narrow.oneOf(LIST)`. */
export const narrow = { text, number, boolean, oneOf, object, array, optional, arrayOf } as const;
