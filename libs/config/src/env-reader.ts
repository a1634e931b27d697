/**
 * Reads configuration from the environment once at boot, collecting every problem before
 * failing, so an operator fixes all of them in one go.
 */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

export class EnvReader {
  private readonly problems: string[] = [];

  constructor(private readonly env: NodeJS.ProcessEnv) {}

  string(name: string, fallback?: string): string {
    const value = this.env[name]?.trim();
    if (value) return value;
    if (fallback !== undefined) return fallback;
    this.problems.push(`${name}: required`);
    return '';
  }

  /** One of `choices`; anything else is a problem naming them. */
  oneOf<const C extends string>(name: string, choices: readonly C[], fallback: C): C {
    const raw = this.env[name]?.trim();
    if (!raw) return fallback;
    if ((choices as readonly string[]).includes(raw)) return raw as C;
    this.problems.push(`${name}: expected one of ${choices.join(', ')}, got '${raw}'`);
    return fallback;
  }

  list(name: string, fallback?: string): string[] {
    return this.string(name, fallback)
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
  }

  integer(name: string, fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
    const raw = this.env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name}: expected an integer from ${min} to ${max}, got '${raw}'`);
      return fallback;
    }
    return value;
  }

  /**
   * A duration with a unit (500ms, 90s, 15m, 24h, 7d) or a bare whole number in `bareUnit`
   * (milliseconds unless the variable's documented unit says otherwise). Anything else is a
   * problem reported at start-up, never a silent fallback.
   */
  durationMs(name: string, fallback: number, options: DurationOptions = {}): number {
    return this.optionalDurationMs(name, options) ?? fallback;
  }

  /** `durationMs` for a variable whose absence means "not set here" rather than a default. */
  optionalDurationMs(name: string, { bareUnit = 'ms' }: DurationOptions = {}): number | undefined {
    const raw = this.env[name]?.trim();
    if (!raw) return undefined;
    const parsed = parseDurationMs(raw, bareUnit);
    if (parsed !== undefined) return parsed;
    this.problems.push(`${name}: ${durationProblem(raw, bareUnit)}`);
    return undefined;
  }

  /** Throws one ConfigError listing every problem found so far. */
  done(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }
}

export type DurationUnit = 'ms' | 's' | 'm' | 'h' | 'd';

export interface DurationOptions {
  /** The unit of a bare number: `ALERT_CORRELATION_WINDOW=15` means 15 minutes. */
  readonly bareUnit?: DurationUnit;
}

const UNIT_MS: Readonly<Record<DurationUnit, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** A whole number with an optional unit; a bare number is in `bareUnit` (default ms). */
export function parseDurationMs(raw: string, bareUnit: DurationUnit = 'ms'): number | undefined {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(raw.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[(match[2] as DurationUnit | undefined) ?? bareUnit];
}

/**
 * Why a value is not a duration. Environment values arrive verbatim (docker's --env-file and
 * systemd's EnvironmentFile keep everything after the `=`), so `15m # window` is most likely a
 * comment that the file format did not strip: say so instead of a generic message.
 */
function durationProblem(raw: string, bareUnit: DurationUnit): string {
  const example = `expected a whole number with a unit (500ms, 90s, 15m, 24h, 7d) or a bare number of ${UNIT_NAMES[bareUnit]}`;
  const hash = raw.indexOf('#');
  if (hash > 0 && parseDurationMs(raw.slice(0, hash), bareUnit) !== undefined)
    return `${example}, got '${raw}': a trailing '#' comment is part of the value (environment files do not strip it); remove it`;
  return `${example}, got '${raw}'`;
}

const UNIT_NAMES: Readonly<Record<DurationUnit, string>> = {
  ms: 'milliseconds',
  s: 'seconds',
  m: 'minutes',
  h: 'hours',
  d: 'days',
};
