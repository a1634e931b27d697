import type { Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { backoffDelay, type BackoffPolicy } from './backoff';
import { readCheckpoint, type StoredCheckpoint } from './checkpoint-store';
import { connectorKey } from './connector-definition';
import type { ConnectorMetrics } from './connector-metrics';
import { SourceError } from './http-client';
import type { PullSource, PulledPage } from './pull-source';

/** Header naming the tenant of a raw record (the ingest raw-topic consumer reads it). */
export const TENANT_HEADER = 'x-tenant-id';
export const CONNECTOR_HEADER = 'x-connector-id';
export const SOURCE_ID_HEADER = 'x-source-id';

export interface ConnectorIdentity {
  readonly id: string;
  readonly tenantId: string;
  readonly type: string;
}

export interface RunnerOptions<C> {
  readonly kafka: Kafka;
  readonly connector: ConnectorIdentity;
  readonly source: PullSource<C>;
  readonly rawTopic: string;
  readonly checkpointTopic: string;
  readonly transactionalIdPrefix: string;
  readonly intervalMs: number;
  readonly backoff: BackoffPolicy;
  readonly logger: Logger;
  readonly metrics: ConnectorMetrics;
  readonly clock?: () => number;
}

/**
 * One connector's scheduled, checkpointed poller. Every page a source yields is produced to
 * `soc.raw.<format>` together with the connector's checkpoint, in one Kafka transaction:
 * either both are committed or neither is. The transactional id is the connector's own, so a
 * restarted instance aborts the transaction its crashed predecessor left open; at start the
 * checkpoint is read back read-committed. A crash anywhere therefore resumes at the last
 * committed page: nothing it produced is produced again, nothing after it is skipped.
 * One instance runs a connector: a second one fences the first at its first commit (the first
 * then stops polling), but a page the first commits before that is pulled by both.
 *
 * Failures back off exponentially (with jitter); a source's Retry-After is waited out as given.
 */
export class ConnectorRunner<C> {
  private producer: Producer | undefined;
  private checkpoint: C | undefined;
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;
  private failures = 0;
  private readonly log: Logger;
  /** `<tenant>/<id>`: names the checkpoint, the transactional id and the metric series. */
  private readonly key: string;

  constructor(private readonly options: RunnerOptions<C>) {
    const { tenantId, type } = options.connector;
    this.key = connectorKey(options.connector);
    this.log = options.logger.child({ connector: this.key, tenant: tenantId, type });
  }

  async start(): Promise<void> {
    const { kafka, transactionalIdPrefix } = this.options;
    this.producer = kafka.producer({
      transactionalId: `${transactionalIdPrefix}-${this.key}`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await this.producer.connect();
    this.checkpoint = await this.loadCheckpoint();
    this.loop = this.run();
  }

  /** Resolves when the runner stops polling: stopped, or fenced by a newer instance. */
  get stopped(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
    await this.producer?.disconnect();
  }

  private async loadCheckpoint(): Promise<C> {
    const { kafka, checkpointTopic, source } = this.options;
    const stored = await readCheckpoint(kafka, checkpointTopic, this.key);
    const parsed = stored === undefined ? undefined : source.parseCheckpoint(stored.checkpoint);
    if (stored !== undefined && parsed === undefined)
      this.log.warn({ topic: checkpointTopic }, 'stored checkpoint unreadable; starting fresh');
    this.log.info({ resumed: parsed !== undefined }, 'connector started');
    return parsed ?? source.initialCheckpoint(this.now());
  }

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      let delay = this.options.intervalMs;
      try {
        await this.pollOnce(signal);
        this.failures = 0;
        this.options.metrics.polls.inc({ connector: this.key, outcome: 'ok' });
      } catch (error) {
        if (signal.aborted) break;
        if (isFenced(error)) {
          this.options.metrics.polls.inc({ connector: this.key, outcome: 'fenced' });
          this.log.error(
            { err: (error as Error).message },
            'another instance with this connector id took over; this one stops polling',
          );
          break;
        }
        delay = this.failed(error);
      }
      await sleep(delay, signal);
    }
  }

  private failed(error: unknown): number {
    this.failures += 1;
    const retryAfter = error instanceof SourceError ? error.retryAfterMs : undefined;
    const delay = backoffDelay(this.options.backoff, this.failures, Math.random(), retryAfter);
    const outcome = error instanceof SourceError && error.throttled ? 'throttled' : 'failed';
    this.options.metrics.polls.inc({ connector: this.key, outcome });
    this.log.warn(
      {
        err: error instanceof Error ? error.message : String(error),
        status: error instanceof SourceError ? error.status : undefined,
        failures: this.failures,
        retryInMs: delay,
      },
      outcome === 'throttled' ? 'source throttled the poll' : 'poll failed',
    );
    return delay;
  }

  private async pollOnce(signal: AbortSignal): Promise<void> {
    const pages = this.options.source.pages(this.checkpoint as C, { now: this.now(), signal });
    for await (const page of pages) {
      if (signal.aborted) return;
      await this.commit(page);
      this.checkpoint = page.checkpoint;
    }
  }

  private async commit(page: PulledPage<C>): Promise<void> {
    const { connector, rawTopic, checkpointTopic, metrics } = this.options;
    const producer = this.producer as Producer;
    const stored: StoredCheckpoint = {
      connectorId: connector.id,
      tenantId: connector.tenantId,
      type: connector.type,
      checkpoint: page.checkpoint,
      committedAt: this.now(),
    };
    const transaction = await producer.transaction();
    try {
      if (page.records.length > 0) {
        await transaction.send({
          topic: rawTopic,
          messages: page.records.map((record) => ({
            key: connector.tenantId,
            value: record.value,
            headers: {
              [TENANT_HEADER]: connector.tenantId,
              [CONNECTOR_HEADER]: connector.id,
              [SOURCE_ID_HEADER]: record.id,
            },
          })),
        });
      }
      await transaction.send({
        topic: checkpointTopic,
        messages: [{ key: this.key, value: JSON.stringify(stored) }],
      });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      throw error;
    }
    metrics.records.inc({ connector: this.key }, page.records.length);
    metrics.lastCommit.set({ connector: this.key }, stored.committedAt / 1000);
    if (page.records.length > 0)
      this.log.info({ topic: rawTopic, records: page.records.length }, 'page committed');
  }

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }
}

/**
 * The broker's answer to a producer whose transactional id a newer instance has claimed: this
 * instance can never commit again, so polling on would only spend the source's rate limit.
 */
function isFenced(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    const type = (e as { type?: unknown }).type;
    if (type === 'INVALID_PRODUCER_EPOCH' || type === 'PRODUCER_FENCED') return true;
  }
  return false;
}

/** Resolves after `ms`, or at once when `signal` aborts (shutdown does not wait out a backoff). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
