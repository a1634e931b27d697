import { BadRequestException } from '@nestjs/common';
import { isObject, narrow, type JsonObject, type Narrowing } from '@soc/contracts';
import { storableText, utf8Length } from '@soc/domain';

const LATEST_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** One problem with a request: where (a JSON path or a query parameter) and why. */
export interface FieldProblem {
  readonly path: string;
  readonly reason: string;
}

export class ValidationFailed extends BadRequestException {
  constructor(readonly problems: readonly FieldProblem[]) {
    super({
      statusCode: 400,
      error: 'Bad Request',
      message: 'validation failed',
      errors: problems,
    });
  }
}

/**
 * Reads untrusted input field by field, collecting every problem; `done()` throws one 400
 * naming them all. Values come back typed, so handlers never see `unknown`.
 */
export class InputReader {
  private readonly problems: FieldProblem[] = [];
  private readonly value: JsonObject;

  constructor(
    input: unknown,
    private readonly prefix = '',
  ) {
    if (isObject(input)) this.value = input;
    else {
      this.value = {};
      this.problems.push({ path: prefix || '$', reason: 'expected a JSON object' });
    }
  }

  private path(field: string): string {
    return this.prefix ? `${this.prefix}.${field}` : field;
  }

  problem(field: string, reason: string): void {
    this.problems.push({ path: this.path(field), reason });
  }

  has(field: string): boolean {
    return (
      this.value[field] !== undefined && this.value[field] !== null && this.value[field] !== ''
    );
  }

  string(
    field: string,
    {
      required = true,
      max = 1_000,
      pattern,
    }: { required?: boolean; max?: number; pattern?: RegExp } = {},
  ): string | null {
    const v = this.value[field];
    if (v === undefined || v === null || v === '') {
      if (required) this.problem(field, 'is required');
      return null;
    }
    if (typeof v !== 'string') return this.fail(field, 'must be a string');
    if (utf8Length(v) > max) return this.fail(field, `must be at most ${max} bytes (UTF-8)`);
    if (pattern && !pattern.test(v)) return this.fail(field, `must match ${pattern.source}`);
    // NUL and lone surrogates would make PostgreSQL refuse the projected row downstream.
    return storableText(v);
  }

  number(
    field: string,
    { required = true, min = -Infinity, max = Infinity, integer = false } = {},
  ): number | null {
    const raw = this.value[field];
    if (raw === undefined || raw === null || raw === '') {
      if (required) this.problem(field, 'is required');
      return null;
    }
    // Query strings carry numbers as text.
    const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    return this.narrowed(field, v, narrow.number({ integer, min, max }));
  }

  oneOf<T extends string>(
    field: string,
    allowed: readonly T[],
    { required = true } = {},
  ): T | null {
    const v = this.value[field];
    if (v === undefined || v === null || v === '') {
      if (required) this.problem(field, `is required (one of ${allowed.join(', ')})`);
      return null;
    }
    return this.narrowed(field, v, narrow.oneOf(allowed));
  }

  /** Comma-separated list in a query string, or a JSON array of strings. */
  list<T extends string>(field: string, allowed?: readonly T[]): T[] {
    const v = this.value[field];
    if (v === undefined || v === null || v === '') return [];
    const items = Array.isArray(v)
      ? v
      : typeof v === 'string'
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : null;
    if (!items || !items.every((i): i is string => typeof i === 'string')) {
      this.problem(field, 'must be a list of strings');
      return [];
    }
    const bad = allowed ? items.filter((i) => !(allowed as readonly string[]).includes(i)) : [];
    if (bad.length > 0) {
      this.problem(
        field,
        `unknown value(s) ${bad.join(', ')}; allowed: ${(allowed ?? []).join(', ')}`,
      );
      return [];
    }
    return items as T[];
  }

  /** An ISO-8601 time or epoch milliseconds. */
  time(field: string, { required = false } = {}): number | null {
    const v = this.value[field];
    if (v === undefined || v === null || v === '') {
      if (required) this.problem(field, 'is required');
      return null;
    }
    const ms =
      typeof v === 'number'
        ? v
        : typeof v === 'string' && /^\d+$/.test(v)
          ? Number(v)
          : typeof v === 'string'
            ? Date.parse(v)
            : NaN;
    if (!Number.isFinite(ms))
      return this.fail(field, 'must be an ISO-8601 time or epoch milliseconds');
    // Past this a Date cannot be written back as ISO-8601 (and PostgreSQL refuses it).
    if (ms < 0 || ms > LATEST_TIME_MS)
      return this.fail(field, 'must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z');
    return ms;
  }

  boolean(field: string, fallback: boolean): boolean {
    const v = this.value[field];
    if (v === undefined || v === null || v === '') return fallback;
    if (v === true || v === 'true' || v === '1') return true;
    if (v === false || v === 'false' || v === '0') return false;
    this.problem(field, 'must be true or false');
    return fallback;
  }

  array(field: string): readonly unknown[] | null {
    const v = this.value[field];
    if (v === undefined || v === null) return null;
    return this.narrowed(field, v, narrow.array);
  }

  /** Fields not in `known` are reported: a typo should not silently do nothing. */
  onlyKnown(known: readonly string[]): void {
    for (const field of Object.keys(this.value)) {
      if (!known.includes(field))
        this.problem(field, `is not a known field (known: ${known.join(', ')})`);
    }
  }

  get ok(): boolean {
    return this.problems.length === 0;
  }

  get collected(): readonly FieldProblem[] {
    return this.problems;
  }

  done(): void {
    if (this.problems.length > 0) throw new ValidationFailed(this.problems);
  }

  /** The value when it passes; otherwise the problem, worded as this API words them. */
  private narrowed<T>(field: string, value: unknown, narrowing: Narrowing<T>): T | null {
    if (narrowing.is(value)) return value;
    const { expected, at } = narrowing.why(value);
    return this.fail(`${field}${at}`, `must be ${expected}`);
  }

  private fail(field: string, reason: string): null {
    this.problem(field, reason);
    return null;
  }
}
