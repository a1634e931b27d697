import type { Producer } from 'kafkajs';
import { selectRows, type DataSource, type Queryable } from '@soc/persistence';
import type { Logger } from '@soc/observability';

/** An encoded feedback event, as it waits in the outbox. */
export interface OutboxMessage {
  readonly eventId: string;
  readonly tenantId: string;
  readonly value: Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

/** Any number; every relay of every query API instance takes the same one. */
const RELAY_LOCK = 0x736f6366;
const RELAY_BATCH = 500;

/**
 * The transactional outbox of `soc.feedback.v1`. `enqueue` writes the event in the caller's
 * transaction (the one that allocated its sequence number); `flush` relays what is committed,
 * in commit order, with the idempotent producer, and deletes it only after Kafka acknowledged
 * it: at least once, and the projector skips a sequence it has applied. One relay runs at a
 * time across instances (an advisory lock), so an incident's events reach its partition in
 * sequence order. `start` also flushes on a timer, for events whose first relay failed.
 */
export class FeedbackOutbox {
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<number> | null = null;

  constructor(
    private readonly dataSource: DataSource,
    private readonly producer: Producer,
    private readonly options: {
      readonly topic: string;
      readonly logger: Logger;
      readonly intervalMs: number;
    },
  ) {}

  async enqueue(db: Queryable, message: OutboxMessage): Promise<void> {
    await db.query(
      `INSERT INTO public.feedback_outbox (event_id, tenant_id, message_key, value, headers)
       VALUES ($1, $2, $2, $3, $4)`,
      [message.eventId, message.tenantId, message.value, JSON.stringify(message.headers)],
    );
  }

  /** Relays every committed event; resolves to how many were sent. One flush at a time here. */
  flush(): Promise<number> {
    this.flushing ??= this.relayAll().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.flush().catch((error: unknown) =>
        this.options.logger.warn({ err: error }, 'feedback outbox relay failed; will retry'),
      );
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flushing?.catch(() => undefined);
  }

  private async relayAll(): Promise<number> {
    let sent = 0;
    for (;;) {
      const batch = await this.relayBatch();
      if (batch === null) return sent;
      sent += batch;
      if (batch < RELAY_BATCH) return sent;
    }
  }

  /** One transaction: lock, read the oldest events, send them, delete them. Null when locked. */
  private relayBatch(): Promise<number | null> {
    return this.dataSource.transaction(async (db) => {
      const [lock] = await selectRows<{ locked: boolean }>(
        db,
        `SELECT pg_try_advisory_xact_lock($1) AS locked`,
        [RELAY_LOCK],
      );
      if (lock?.locked !== true) return null;
      const rows = await selectRows<{
        position: string;
        message_key: string;
        value: Buffer;
        headers: Record<string, string>;
      }>(
        db,
        `SELECT position, message_key, value, headers FROM public.feedback_outbox
         ORDER BY position LIMIT ${RELAY_BATCH}`,
      );
      if (rows.length === 0) return 0;
      await this.producer.send({
        topic: this.options.topic,
        acks: -1,
        messages: rows.map((row) => ({
          key: row.message_key,
          value: row.value,
          headers: row.headers,
        })),
      });
      await db.query(`DELETE FROM public.feedback_outbox WHERE position = ANY($1::bigint[])`, [
        rows.map((row) => row.position),
      ]);
      return rows.length;
    });
  }
}
