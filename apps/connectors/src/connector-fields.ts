import { parseDurationMs } from '@soc/config';

/** Reads one connector entry's fields, recording problems by path. */
export class FieldReader {
  private readonly entry: Record<string, unknown>;

  constructor(
    entry: unknown,
    private readonly path: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly problems: string[],
  ) {
    this.entry =
      typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>) : {};
    if (this.entry !== entry) this.problem('', 'expected an object');
  }

  problem(name: string, reason: string): void {
    this.problems.push(`${this.path}${name ? `.${name}` : ''}: ${reason}`);
  }

  optionalString(name: string): string | undefined {
    const value = this.entry[name];
    if (value === undefined) return undefined;
    if (typeof value === 'string' && value.trim().length > 0) return value.trim();
    this.problem(name, 'expected a non-empty string');
    return undefined;
  }

  string(name: string): string | undefined {
    const value = this.optionalString(name);
    if (value === undefined && this.entry[name] === undefined) this.problem(name, 'required');
    return value;
  }

  url(name: string): string {
    const value = this.string(name) ?? '';
    if (value && !/^https?:\/\/[^/]+/.test(value)) this.problem(name, 'expected an http(s) URL');
    return value.replace(/\/+$/, '');
  }

  integer(name: string, fallback: number): number {
    const value = this.entry[name];
    if (value === undefined) return fallback;
    if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
    this.problem(name, 'expected a positive integer');
    return fallback;
  }

  duration(name: string, fallback: number): number {
    const value = this.entry[name];
    if (value === undefined) return fallback;
    const ms = typeof value === 'string' ? parseDurationMs(value) : undefined;
    if (ms !== undefined && ms > 0) return ms;
    this.problem(name, 'expected a duration such as 500ms, 30s, 5m, 1h');
    return fallback;
  }

  /** A secret written inline or `{"env": "NAME"}`; never echoed into a problem. */
  secret(name: string): string | undefined {
    const value = this.entry[name];
    if (typeof value === 'string' && value.length > 0) return value;
    const variable = (value as { env?: unknown } | null | undefined)?.env;
    if (typeof variable === 'string') {
      const fromEnv = this.env[variable];
      if (fromEnv) return fromEnv;
      this.problem(name, `environment variable ${variable} is not set`);
      return undefined;
    }
    if (value !== undefined) this.problem(name, 'expected a string or {"env": "NAME"}');
    return undefined;
  }

  /** `<scheme> <secret>` from a token-like field, or Basic from `username` and `password`. */
  authorization(scheme: 'Bearer' | 'ApiKey', tokenField: string): string {
    const token = this.secret(tokenField);
    if (token !== undefined) return `${scheme} ${token}`;
    const username = this.optionalString('username');
    const password = this.secret('password');
    if (username !== undefined && password !== undefined)
      return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    this.problem(tokenField, `required (or username and password)`);
    return '';
  }
}
