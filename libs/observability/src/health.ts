/** Named readiness checks; /health reports each and answers 503 when any fails. */
export type HealthCheck = () => Promise<void> | void;

export interface HealthReport {
  readonly status: 'ok' | 'failing';
  readonly checks: Record<string, { readonly ok: boolean; readonly error?: string }>;
}

export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheck>();

  register(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  async report(): Promise<HealthReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        try {
          await check();
          return [name, { ok: true }] as const;
        } catch (error) {
          return [
            name,
            { ok: false, error: error instanceof Error ? error.message : String(error) },
          ] as const;
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    return { status: entries.every(([, r]) => r.ok) ? 'ok' : 'failing', checks };
  }
}
