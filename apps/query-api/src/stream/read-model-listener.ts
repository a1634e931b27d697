import { Client } from 'pg';
import type { Logger } from '@soc/observability';
import { READ_MODEL_CHANNEL } from '@soc/persistence';

/** What the projector announces after each committed batch, per tenant. */
export interface ReadModelChange {
  readonly tenantId: string;
  /** Empty when more incidents changed than a notification carries: refetch the list. */
  readonly incidentIds: readonly string[];
  readonly count: number;
}

export type ChangeHandler = (change: ReadModelChange) => void;

function parseChange(payload: string | undefined): ReadModelChange | null {
  if (!payload) return null;
  try {
    const value: unknown = JSON.parse(payload);
    if (typeof value !== 'object' || value === null) return null;
    const { tenantId, incidentIds, count } = value as Record<string, unknown>;
    if (typeof tenantId !== 'string' || !Array.isArray(incidentIds)) return null;
    const ids = incidentIds.filter((id): id is string => typeof id === 'string');
    return { tenantId, incidentIds: ids, count: typeof count === 'number' ? count : ids.length };
  } catch {
    return null;
  }
}

/**
 * One LISTEN connection per API process, fanned out to subscribers keyed by tenant: live
 * streams and `?wait=true` requests. Reconnects with backoff; while it is down, subscribers
 * fall back on their own polling, so nothing waits forever.
 */
export class ReadModelListener {
  private client: Client | null = null;
  private readonly subscribers = new Map<string, Set<ChangeHandler>>();
  private stopped = false;
  private retryMs = 250;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly databaseUrl: string,
    private readonly logger: Logger,
  ) {}

  get connected(): boolean {
    return this.client !== null;
  }

  get subscriberCount(): number {
    let n = 0;
    for (const set of this.subscribers.values()) n += set.size;
    return n;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  subscribe(tenantId: string, handler: ChangeHandler): () => void {
    const set = this.subscribers.get(tenantId) ?? new Set<ChangeHandler>();
    set.add(handler);
    this.subscribers.set(tenantId, set);
    return () => {
      set.delete(handler);
      if (set.size === 0) this.subscribers.delete(tenantId);
    };
  }

  private async connect(): Promise<void> {
    const client = new Client({
      connectionString: this.databaseUrl,
      application_name: 'soc-query-api-listener',
    });
    client.on('notification', (message) => {
      if (message.channel !== READ_MODEL_CHANNEL) return;
      const change = parseChange(message.payload);
      if (!change) {
        this.logger.warn(
          { payload: message.payload },
          'ignoring a malformed read-model notification',
        );
        return;
      }
      for (const handler of this.subscribers.get(change.tenantId) ?? []) {
        try {
          handler(change);
        } catch (error) {
          this.logger.warn(
            { err: error, tenantId: change.tenantId },
            'read-model subscriber failed',
          );
        }
      }
    });
    const lost = (error?: Error): void => {
      if (this.client !== client) return;
      this.client = null;
      if (this.stopped) return;
      this.logger.warn({ err: error }, 'read-model listener lost its connection; reconnecting');
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      await client.query(`LISTEN ${READ_MODEL_CHANNEL}`);
      this.client = client;
      this.retryMs = 250;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (this.stopped) return;
      this.logger.warn({ err: error }, 'read-model listener could not connect; retrying');
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 10_000);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.connect();
    }, delay);
  }
}
