import {
  ABUSEIPDB_FREE_LIMITS,
  VIRUSTOTAL_PUBLIC_LIMITS,
  type BudgetLimits,
  type NeverSendPolicy,
} from '@soc/domain';
import type { BudgetScope } from '../store/budget-store';
import { ApiKey } from './api-key';

export const REMOTE_PROVIDERS = ['virustotal', 'abuseipdb'] as const;
export type RemoteProvider = (typeof REMOTE_PROVIDERS)[number];

/** The platform's own keys, used for tenants that name none. */
const PLATFORM_KEY_ENV: Readonly<Record<RemoteProvider, string>> = {
  virustotal: 'VIRUSTOTAL_API_KEY',
  abuseipdb: 'ABUSEIPDB_API_KEY',
};
const DEFAULT_LIMITS: Readonly<Record<RemoteProvider, BudgetLimits>> = {
  virustotal: VIRUSTOTAL_PUBLIC_LIMITS,
  abuseipdb: ABUSEIPDB_FREE_LIMITS,
};

/** One provider as one tenant uses it: its key and the two budgets a request spends. */
export interface TenantProvider {
  readonly provider: RemoteProvider;
  readonly apiKey: ApiKey;
  readonly budgets: readonly BudgetScope[];
}

export interface TenantIntelSettings {
  readonly providers: readonly TenantProvider[];
  readonly neverSend: NeverSendPolicy;
}

export interface SettingsError {
  readonly path: string;
  readonly message: string;
}

interface TenantSection {
  readonly providers?: readonly RemoteProvider[];
  readonly ownDomains?: readonly string[];
  readonly allowlist?: readonly string[];
  /** `env:NAME`: the key is read from the environment variable NAME. */
  readonly keys?: Partial<Record<RemoteProvider, string>>;
  /** This tenant's share of a provider's budget (at most the key's own limits apply too). */
  readonly budgets?: Partial<Record<RemoteProvider, BudgetLimits>>;
}

interface SettingsFile {
  readonly defaults?: TenantSection & {
    readonly limits?: Partial<Record<RemoteProvider, BudgetLimits>>;
  };
  readonly tenants?: Readonly<Record<string, TenantSection>>;
}

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

const isLimits = (value: unknown): value is BudgetLimits => {
  const v = value as BudgetLimits | undefined;
  return (
    Number.isInteger(v?.perMinute) &&
    Number.isInteger(v?.perDay) &&
    (v?.perMinute ?? 0) > 0 &&
    (v?.perDay ?? 0) > 0
  );
};

function checkProviderMap(
  value: unknown,
  path: string,
  check: (item: unknown) => string | undefined,
  errors: SettingsError[],
): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null) {
    errors.push({ path, message: 'must be an object keyed by provider' });
    return;
  }
  for (const [name, item] of Object.entries(value)) {
    if (!(REMOTE_PROVIDERS as readonly string[]).includes(name))
      errors.push({
        path: `${path}.${name}`,
        message: `unknown provider; expected one of ${REMOTE_PROVIDERS.join(', ')}`,
      });
    const problem = check(item);
    if (problem !== undefined) errors.push({ path: `${path}.${name}`, message: problem });
  }
}

function checkSection(
  section: unknown,
  path: string,
  env: NodeJS.ProcessEnv,
  errors: SettingsError[],
): void {
  if (typeof section !== 'object' || section === null || Array.isArray(section)) {
    errors.push({ path, message: 'must be an object' });
    return;
  }
  const s = section as Record<string, unknown>;
  for (const list of ['ownDomains', 'allowlist'] as const)
    if (s[list] !== undefined && !isStringList(s[list]))
      errors.push({ path: `${path}.${list}`, message: 'must be a list of strings' });
  if (
    s['providers'] !== undefined &&
    !(
      isStringList(s['providers']) &&
      s['providers'].every((p) => (REMOTE_PROVIDERS as readonly string[]).includes(p))
    )
  )
    errors.push({
      path: `${path}.providers`,
      message: `must list providers among ${REMOTE_PROVIDERS.join(', ')}`,
    });
  checkProviderMap(
    s['keys'],
    `${path}.keys`,
    (ref) => {
      if (typeof ref !== 'string' || !ref.startsWith('env:'))
        return 'must be a reference env:VARIABLE (keys are never written in the file)';
      return env[ref.slice(4)] ? undefined : `environment variable ${ref.slice(4)} is not set`;
    },
    errors,
  );
  for (const budgets of ['budgets', 'limits'] as const)
    checkProviderMap(
      s[budgets],
      `${path}.${budgets}`,
      (item) =>
        isLimits(item) ? undefined : 'must be { perMinute, perDay } with positive integers',
      errors,
    );
}

/**
 * Per-tenant threat-intel settings from the INTEL_CONFIG_FILE JSON (`{ defaults, tenants }`):
 * which remote providers a tenant uses, its own domains and allowlist (never sent out), its
 * API keys as references to environment variables, and its share of each provider's budget.
 * A tenant that names no key uses the platform's (VIRUSTOTAL_API_KEY, ABUSEIPDB_API_KEY);
 * a provider with no key at all is not used. Keys become ApiKey values, which never print.
 */
export class IntelSettings {
  private constructor(
    private readonly file: SettingsFile,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static parse(
    json: unknown,
    env: NodeJS.ProcessEnv,
  ): { ok: true; settings: IntelSettings } | { ok: false; errors: SettingsError[] } {
    const errors: SettingsError[] = [];
    const file = (json ?? {}) as Record<string, unknown>;
    if (file['defaults'] !== undefined) checkSection(file['defaults'], 'defaults', env, errors);
    const tenants = file['tenants'];
    if (tenants !== undefined) {
      if (typeof tenants !== 'object' || tenants === null)
        errors.push({ path: 'tenants', message: 'must be an object keyed by tenant id' });
      else
        for (const [id, section] of Object.entries(tenants))
          checkSection(section, `tenants.${id}`, env, errors);
    }
    return errors.length > 0
      ? { ok: false, errors }
      : { ok: true, settings: new IntelSettings(file as SettingsFile, env) };
  }

  forTenant(tenantId: string): TenantIntelSettings {
    const defaults = this.file.defaults ?? {};
    const own = this.file.tenants?.[tenantId] ?? {};
    const names = own.providers ?? defaults.providers ?? REMOTE_PROVIDERS;
    const providers: TenantProvider[] = [];
    for (const provider of names) {
      const reference =
        own.keys?.[provider] ?? defaults.keys?.[provider] ?? `env:${PLATFORM_KEY_ENV[provider]}`;
      const secret = this.env[reference.slice(4)];
      if (!secret) continue;
      const keyLimits = defaults.limits?.[provider] ?? DEFAULT_LIMITS[provider];
      const share = own.budgets?.[provider] ?? defaults.budgets?.[provider] ?? keyLimits;
      providers.push({
        provider,
        apiKey: new ApiKey(secret, reference),
        budgets: [
          { scope: `key:${provider}:${reference}`, limits: keyLimits },
          { scope: `tenant:${tenantId}:${provider}`, limits: share },
        ],
      });
    }
    return {
      providers,
      neverSend: {
        ownDomains: [...(defaults.ownDomains ?? []), ...(own.ownDomains ?? [])],
        allowlist: [...(defaults.allowlist ?? []), ...(own.allowlist ?? [])],
      },
    };
  }
}
