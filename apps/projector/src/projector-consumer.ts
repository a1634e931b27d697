import { BaseRpcContext, Server, type CustomTransportStrategy } from '@nestjs/microservices';
import type { Admin, Batch, Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import { UndecodableRecordError, ensureTopics, retryKafkaStartUp } from '@soc/kafka';
import type { Logger } from '@soc/observability';
import type { EventFamily } from './event-guard';
import type {
  BatchOutcome,
  ConsumedRecord,
  PartitionBatchInput,
  ProjectionEngine,
} from './projection-engine';
import type { ProjectorMetrics } from './projector.metrics';
import type { EventDecoders } from './event-decoders';

export interface ProjectorConsumerOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly incidentsTopic: string;
  readonly feedbackTopic: string;
  /** Where the checkpoints are read from; applying a batch is the topic's handler's job. */
  readonly engine: ProjectionEngine;
  readonly decoder: EventDecoders;
  readonly metrics: ProjectorMetrics;
  readonly logger: Logger;
  readonly maxWaitMs: number;
  readonly maxBytesPerPartition: number;
  readonly partitionsConsumedConcurrently: number;
  /** Partitions for the input topics when they do not exist yet (TOPIC_PARTITIONS). */
  readonly topicPartitions: number;
}

const tpKey = (topic: string, partition: number): string => `${topic}:${partition}`;

/** What kafkajs hands eachBatch to control the batch, as the consumer uses it. */
interface BatchControl {
  readonly resolveOffset: (offset: string) => void;
  readonly heartbeat: () => Promise<void>;
  readonly isRunning: () => boolean;
  readonly isStale: () => boolean;
}

/** 200 ms doubling to 30 s. */
const backoffMs = (attempt: number): number => Math.min(30_000, 200 * 2 ** Math.min(attempt, 8));

/** Waits `ms` in heartbeat-sized steps, so the group keeps the partition while a batch retries. */
async function sleepWithHeartbeats(ms: number, control: BatchControl): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until && control.isRunning() && !control.isStale()) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, until - Date.now())));
    await control.heartbeat().catch(() => undefined);
  }
}

/**
 * Consumes the incident and feedback topics into the read model, as a Nest microservice
 * transport: each decoded batch goes to its topic's `@EventPattern` handler, which applies it
 * in one database transaction and answers with the outcome. Kafka only delivers: the
 * checkpoint rows in Postgres decide what is applied, and after every assignment the consumer
 * seeks to them. Offsets are also committed to Kafka (after the database commit) so lag
 * tooling sees progress, but nothing reads them back as truth.
 */
export class ProjectorConsumer extends Server implements CustomTransportStrategy {
  private readonly consumer: Consumer;
  /** The failure a batch is being retried after, while it is (see projectRetrying). */
  private retrying: { readonly since: number; readonly error: string } | null = null;
  /** Per partition, where this consumer stands in the checkpoint's terms (see applyBatch). */
  private readonly positions = new Map<string, bigint>();
  private assignmentReady: Promise<void> = Promise.resolve();
  private crashed: Error | null = null;
  private running = false;

  constructor(private readonly options: ProjectorConsumerOptions) {
    super();
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false,
      maxWaitTimeInMs: options.maxWaitMs,
      maxBytesPerPartition: options.maxBytesPerPartition,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
    });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      // A consumer that crashed on a retriable error (a coordinator still loading on a fresh
      // broker) is restarted by kafkajs: once it has joined again it is healthy, batches or not.
      this.crashed = null;
      this.assignmentReady = this.seekToCheckpoints(payload.memberAssignment).catch(
        (error: unknown) => {
          // The first batch of each partition re-checks its checkpoint anyway (applyBatch).
          this.options.logger.warn(
            { err: error },
            'seeking to stored checkpoints failed; batches will reseek',
          );
        },
      );
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.crashed = payload.error;
      this.options.logger.error(
        { err: payload.error, restart: payload.restart },
        'projector consumer crashed',
      );
    });
  }

  /** Fails while the consumer is down or has crashed without restarting. */
  health(): void {
    if (!this.running) throw new Error('consumer not running');
    if (this.crashed) throw new Error(`consumer crashed: ${this.crashed.message}`);
    if (this.retrying)
      throw new Error(
        `retrying a batch since ${new Date(this.retrying.since).toISOString()}: ${this.retrying.error}`,
      );
  }

  async start(): Promise<void> {
    const retry = { logger: this.options.logger, describe: 'projector start' };
    await retryKafkaStartUp(() => this.prepareTopics(), retry);
    await retryKafkaStartUp(() => this.consumer.connect(), retry);
    await this.consumer.subscribe({
      topics: [this.options.incidentsTopic, this.options.feedbackTopic],
      fromBeginning: true,
    });
    await this.consumer.run({
      autoCommit: true,
      autoCommitInterval: 1_000,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        await this.assignmentReady;
        if (!isRunning() || isStale() || batch.messages.length === 0) return;
        this.crashed = null;
        await this.handleBatch(batch, { resolveOffset, heartbeat, isRunning, isStale });
        await heartbeat();
      },
    });
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.consumer.disconnect();
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  close(): Promise<void> {
    return this.stop();
  }

  on(): never {
    throw new Error('ProjectorConsumer has no events to listen to');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  /** Hands a batch to its topic's handler (the projection) and waits for the outcome. */
  private async project(input: PartitionBatchInput): Promise<BatchOutcome> {
    const handler = this.getHandlerByPattern(input.topic);
    if (!handler) throw new Error(`no @EventPattern('${input.topic}') handler is registered`);
    const result: unknown = await handler(input, new BaseRpcContext([input.topic]));
    return lastValueFrom(this.transformToObservable(result as Promise<BatchOutcome>));
  }

  /**
   * Projects the batch, retrying a failure that is not the records' fault (database or
   * registry unreachable, a lock timeout) with backoff for as long as the partition is ours:
   * shown on /health (`kafka-consumer` fails while retrying) and in
   * `projector_batch_retries_total`. Undefined when the partition was revoked meanwhile.
   */
  private async projectRetrying(
    input: PartitionBatchInput,
    control: BatchControl,
  ): Promise<BatchOutcome | undefined> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        const outcome = await this.project(input);
        this.retrying = null;
        return outcome;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        this.retrying ??= { since: Date.now(), error: message };
        this.options.metrics.retries.inc({ topic: input.topic });
        this.options.logger.warn(
          { err: error, topic: input.topic, partition: input.partition, attempt },
          'projecting a batch failed; retrying',
        );
        await sleepWithHeartbeats(backoffMs(attempt), control);
        if (!control.isRunning() || control.isStale()) return undefined;
      }
    }
  }

  private async handleBatch(batch: Batch, control: BatchControl): Promise<void> {
    const started = process.hrtime.bigint();
    const { topic, partition } = batch;
    const { metrics, logger } = this.options;
    const family: EventFamily = topic === this.options.feedbackTopic ? 'feedback' : 'incident';
    const records = await this.decodeAll(batch, family);
    const firstOffset = BigInt(batch.firstOffset() ?? (batch.messages[0] as KafkaMessage).offset);
    const endOffset = BigInt(batch.lastOffset()) + 1n;
    const key = tpKey(topic, partition);

    const input = { topic, partition, records, firstOffset, endOffset };
    const outcome = await this.projectRetrying(
      { ...input, expectedNext: this.positions.get(key) },
      control,
    );
    if (outcome === undefined) return;
    if (outcome.kind === 'reseek') {
      logger.info(
        {
          topic,
          partition,
          offset: outcome.checkpoint.toString(),
          fetched: firstOffset.toString(),
        },
        'seeking to the stored checkpoint',
      );
      metrics.reseeks.inc({ topic });
      this.positions.set(key, outcome.checkpoint);
      this.consumer.seek({ topic, partition, offset: outcome.checkpoint.toString() });
      return;
    }
    this.positions.set(key, outcome.nextOffset);
    const last = batch.messages[batch.messages.length - 1] as KafkaMessage;
    control.resolveOffset(last.offset);

    const now = Date.now();
    metrics.app.messagesIn.inc({ topic }, records.length);
    metrics.batchSize.observe({ topic }, records.length);
    metrics.skipped.inc({ reason: 'offset-already-applied' }, records.length - outcome.fresh);
    metrics.skipped.inc({ reason: 'sequence-already-applied' }, outcome.duplicates);
    if (outcome.gaps > 0) metrics.gaps.inc({ topic }, outcome.gaps);
    const byTimestamp = new Map(records.map((r) => [r.event, r.timestamp]));
    for (const event of outcome.applied) {
      metrics.applied.inc({ topic, type: event.type });
      metrics.delay.observe({ basis: 'occurred' }, Math.max(0, now - event.occurredAt) / 1000);
      const recordedAt = byTimestamp.get(event);
      if (recordedAt !== undefined)
        metrics.delay.observe({ basis: 'recorded' }, Math.max(0, now - recordedAt) / 1000);
    }
    metrics.recordApplied(outcome.applied.length);
    metrics.app.consumerLag.set(
      { topic, partition: String(partition) },
      Number(BigInt(batch.highWatermark) - outcome.nextOffset),
    );
    metrics.app.batchSeconds.observe(
      { stage: 'project' },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
    if (outcome.gaps > 0)
      logger.warn(
        { topic, partition, gaps: outcome.gaps },
        'applied events past stream sequence gaps',
      );
    logger.debug(
      {
        topic,
        partition,
        offset: outcome.nextOffset.toString(),
        applied: outcome.applied.length,
        incidents: outcome.incidents.length,
      },
      'batch projected',
    );
  }

  /**
   * Decodes every record; poison becomes a dead letter (the original bytes and the reason),
   * recorded in the batch's transaction beside the checkpoint that moves past it.
   */
  private async decodeAll(batch: Batch, family: EventFamily): Promise<ConsumedRecord[]> {
    const records: ConsumedRecord[] = [];
    for (const message of batch.messages) {
      const offset = BigInt(message.offset);
      const timestamp = Number(message.timestamp);
      try {
        records.push({
          offset,
          timestamp,
          event: await this.options.decoder[family].decode(message.value),
        });
      } catch (error) {
        if (!(error instanceof UndecodableRecordError)) throw error;
        this.options.logger.warn(
          {
            topic: batch.topic,
            partition: batch.partition,
            offset: message.offset,
            reason: error.reason,
          },
          'dead-lettering an undecodable record',
        );
        this.options.metrics.app.deadLettered.inc({ reason: error.field });
        this.options.metrics.skipped.inc({ reason: 'poison' });
        const { key, value } = message;
        const deadLetter = { offset, key, value, reason: error.reason, field: error.field };
        records.push({ offset, timestamp, event: null, deadLetter });
      }
    }
    return records;
  }

  /** The assignment's checkpoints, read once per rebalance: every partition starts where Postgres says. */
  private async seekToCheckpoints(assignment: Record<string, number[]>): Promise<void> {
    this.positions.clear();
    const { engine } = this.options;
    const stored = await engine.store.readCheckpoints(engine.dataSource, engine.projection);
    const checkpoints = new Map(stored.map((c) => [tpKey(c.topic, c.partition), c.nextOffset]));
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) {
        const offset = checkpoints.get(tpKey(topic, partition)) ?? 0n;
        this.positions.set(tpKey(topic, partition), offset);
        this.consumer.seek({ topic, partition, offset: offset.toString() });
      }
    }
    this.options.logger.info({ assignment }, 'partitions assigned; sought to stored checkpoints');
  }

  /** The input topics, created with the shared partition count if the correlator or the API has not yet. */
  private async prepareTopics(): Promise<void> {
    const admin: Admin = this.options.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [
        { topic: this.options.incidentsTopic, numPartitions: this.options.topicPartitions },
        { topic: this.options.feedbackTopic, numPartitions: this.options.topicPartitions },
      ]);
    } finally {
      await admin.disconnect();
    }
  }
}
