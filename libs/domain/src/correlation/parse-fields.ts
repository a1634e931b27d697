import { ENTITY_TYPES, type EntityType } from '@soc/contracts';
import type { ConfigFieldError } from '../scoring';

/** Readers for untyped configuration: each reports a bad field with its path into `errors`. */
export type Raw = Record<string, unknown>;

export const isRecord = (value: unknown): value is Raw =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function unknownKeys(
  raw: Raw,
  known: readonly string[],
  path: string,
  errors: ConfigFieldError[],
): void {
  for (const key of Object.keys(raw)) {
    if (!known.includes(key))
      errors.push({
        path: join(path, key),
        message: `unknown field; expected one of ${known.join(', ')}`,
      });
  }
}

export const join = (path: string, key: string | number): string =>
  typeof key === 'number' ? `${path}[${key}]` : path === '' ? key : `${path}.${key}`;

/** Reads `raw[key]` as a number within bounds, falling back to `base` when absent. */
export function num(
  raw: Raw,
  key: string,
  base: number,
  path: string,
  errors: ConfigFieldError[],
  { min = 0, max = Number.MAX_SAFE_INTEGER, integer = false, exclusiveMin = false } = {},
): number {
  const value = raw[key];
  if (value === undefined) return base;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (exclusiveMin ? value > min : value >= min) &&
    value <= max &&
    (!integer || Number.isInteger(value));
  if (!ok) {
    const kind = integer ? 'an integer' : 'a number';
    errors.push({
      path: join(path, key),
      message: `must be ${kind} ${exclusiveMin ? '>' : '>='} ${min} and <= ${max}`,
    });
    return base;
  }
  return value as number;
}

export function strings(
  value: unknown,
  path: string,
  errors: ConfigFieldError[],
): string[] | undefined {
  if (
    !Array.isArray(value) ||
    value.some((item) => typeof item !== 'string' || item.length === 0)
  ) {
    errors.push({ path, message: 'must be an array of non-empty strings' });
    return undefined;
  }
  return value as string[];
}

export function entityType(
  value: unknown,
  path: string,
  errors: ConfigFieldError[],
): EntityType | undefined {
  if (typeof value === 'string' && (ENTITY_TYPES as readonly string[]).includes(value))
    return value as EntityType;
  errors.push({ path, message: `must be an entity type: ${ENTITY_TYPES.join(', ')}` });
  return undefined;
}
