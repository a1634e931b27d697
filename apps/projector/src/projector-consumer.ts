import { BaseRpcContext, Server, type CustomTransportStrategy } from '@nestjs/microservices';
import type { Admin, Batch, Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import {
  UndecodableRecordError,
  deadLetterMessage,
  ensureTopics,
  retryKafkaStartUp,
} from '@soc/kafka';
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
  private readonly producer: Producer;
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
    this.producer = options.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
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
  }

  async start(): Promise<void> {
    const retry = { logger: this.options.logger, describe: 'projector start' };
    await retryKafkaStartUp(() => this.prepareTopics(), retry);
    await retryKafkaStartUp(() => this.producer.connect(), retry);
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
        await this.handleBatch(batch, resolveOffset);
        await heartbeat();
      },
    });
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.consumer.disconnect();
    await this.producer.disconnect();
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

  private async handleBatch(batch: Batch, resolveOffset: (offset: string) => void): Promise<void> {
    const started = process.hrtime.bigint();
    const { topic, partition } = batch;
    const { metrics, logger } = this.options;
    const family: EventFamily = topic === this.options.feedbackTopic ? 'feedback' : 'incident';
    const records = await this.decodeAll(batch, family);
    const firstOffset = BigInt(batch.firstOffset() ?? (batch.messages[0] as KafkaMessage).offset);
    const endOffset = BigInt(batch.lastOffset()) + 1n;
    const key = tpKey(topic, partition);

    const outcome = await this.project({
      topic,
      partition,
      records,
      firstOffset,
      endOffset,
      expectedNext: this.positions.get(key),
    });
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
    resolveOffset(last.offset);

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

  /** Decodes every record; poison goes to `<topic>.dlq` with the original bytes and a reason. */
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
        await this.deadLetter(batch, message, error);
        records.push({ offset, timestamp, event: null });
      }
    }
    return records;
  }

  private async deadLetter(
    batch: Batch,
    message: KafkaMessage,
    error: UndecodableRecordError,
  ): Promise<void> {
    const { topic, partition } = batch;
    this.options.logger.warn(
      { topic, partition, offset: message.offset, reason: error.reason, field: error.field },
      'dead-lettering an undecodable record',
    );
    await this.producer.send({
      topic: `${topic}.dlq`,
      acks: -1,
      messages: [
        deadLetterMessage(message, { topic, partition, offset: message.offset }, error, Date.now()),
      ],
    });
    this.options.metrics.app.deadLettered.inc({ reason: error.field ?? 'value' });
    this.options.metrics.skipped.inc({ reason: 'poison' });
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

  /**
   * The input topics (created with the shared partition count if the correlator or the API
   * has not yet) and their dead-letter topics (one partition: they are rare and inspected).
   */
  private async prepareTopics(): Promise<void> {
    const admin: Admin = this.options.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [
        { topic: this.options.incidentsTopic, numPartitions: this.options.topicPartitions },
        { topic: this.options.feedbackTopic, numPartitions: this.options.topicPartitions },
        { topic: `${this.options.incidentsTopic}.dlq`, numPartitions: 1 },
        { topic: `${this.options.feedbackTopic}.dlq`, numPartitions: 1 },
      ]);
    } finally {
      await admin.disconnect();
    }
  }
}
