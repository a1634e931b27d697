import { isObject, type JsonObject } from '@soc/contracts';

/**
 * Narrowing helpers for records decoded as `unknown`. Every accessor tolerates any input
 * (arrays, primitives, null) and answers `undefined` rather than throwing, which is what keeps
 * the normalizers total.
 */

/** An own property only: `constructor` or `__proto__` in a record never reaches the prototype. */
export function own(value: unknown, key: string): unknown {
  if (!isObject(value) || !Object.hasOwn(value, key)) return undefined;
  return value[key];
}

/** Walks nested own properties: `at(record, 'rule', 'mitre', 'id')`. */
export function at(value: unknown, ...keys: readonly string[]): unknown {
  let current = value;
  for (const key of keys) {
    current = own(current, key);
    if (current === undefined) return undefined;
  }
  return current;
}

export const asObject = (value: unknown): JsonObject | undefined =>
  isObject(value) ? value : undefined;

export const asArray = (value: unknown): readonly unknown[] =>
  Array.isArray(value) ? value : EMPTY;
const EMPTY: readonly unknown[] = [];

/**
 * A usable text value: a non-blank string (trimmed) or a finite number rendered as text.
 * Booleans, objects and blanks are "absent".
 */
export function text(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed.length > 0 ? trimmed : undefined;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** The first usable text among candidates, in order. */
export function firstText(...values: readonly unknown[]): string | undefined {
  for (const value of values) {
    const found = text(value);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** A finite number, also from a numeric string (`"7"`, `" 7.5 "`). */
export function num(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (trimmed.length === 0 || trimmed.length > 32) return undefined;
    const parsed = Number(trimmed);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

/** Texts of a scalar or of every element of an array (multi-value fields). */
export function texts(value: unknown): readonly string[] {
  if (Array.isArray(value)) {
    const out: string[] = [];
    for (const item of value) {
      const found = text(item);
      if (found !== undefined) out.push(found);
    }
    return out;
  }
  const single = text(value);
  return single === undefined ? EMPTY_TEXTS : [single];
}
const EMPTY_TEXTS: readonly string[] = [];

/** Stable JSON text of a parsed record, or undefined for values JSON cannot carry. */
export function jsonText(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** Parses JSON text to `unknown`; the error message when it is not JSON. */
export function parseJson(
  source: string,
): { readonly value: unknown } | { readonly error: string } {
  try {
    return { value: JSON.parse(source) as unknown };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
