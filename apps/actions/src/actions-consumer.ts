import type { Admin, Batch, Consumer, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { IncidentEvent } from '@soc/contracts';
import {
  UndecodableRecordError,
  deadLetterMessage,
  ensureTopics,
  type AvroTopicCodec,
} from '@soc/kafka';
import type { Logger } from '@soc/observability';
import type { ActionsMetrics } from './actions.metrics';
import { deliverWithRetry, type RetryPolicy } from './delivery/retry';
import type { Destination } from './destinations/destination';
import { IncidentTracker } from './incident-tracker';
import type { IncidentNotification } from './notification';
import type { Route, Routing } from './routing/routing';

export interface ActionsConsumerOptions {
  readonly kafka: Kafka;
  readonly groupId: string;
  readonly incidentsTopic: string;
  readonly deadLetterTopic: string;
  readonly codec: AvroTopicCodec<IncidentEvent>;
  readonly routing: Routing;
  readonly destinations: ReadonlyMap<string, Destination>;
  readonly retry: RetryPolicy;
  readonly metrics: ActionsMetrics;
  readonly logger: Logger;
  readonly topicPartitions: number;
  /** Where a group that has committed nothing yet starts delivering (it replays from 0 anyway). */
  readonly startFrom: 'earliest' | 'latest';
}

/** Headers the actions dead letters add to the shared x-dlq-* ones. */
export const ACTIONS_DLQ_HEADERS = {
  destination: 'x-dlq-destination',
  idempotencyKey: 'x-dlq-idempotency-key',
  attempts: 'x-dlq-attempts',
} as const;

interface PartitionState {
  readonly tracker: IncidentTracker;
  /** The group's committed offset at assignment: below it, events are folded, not delivered. */
  readonly deliverFrom: bigint;
}

/** Longest stretch of a backoff wait without a heartbeat (well under the session timeout). */
const WAIT_SLICE_MS = 1_000;

/**
 * Consumes the incident log and pushes each change to the tenant's receivers, at least once.
 * A partition's offset is committed only after every route of the record has settled
 * (delivered, or dead-lettered after the retries), so a crash redelivers, never skips.
 * Notifications need the incident's state (title, priority, entities), which is a fold of
 * the partition's events: after each assignment the consumer seeks back to offset 0, folds
 * up to the committed offset without sending, and delivers from there on.
 */
export class ActionsConsumer {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly partitions = new Map<number, PartitionState>();
  private assignmentReady: Promise<void> = Promise.resolve();
  private crashed: Error | null = null;
  private running = false;

  constructor(private readonly options: ActionsConsumerOptions) {
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      maxWaitTimeInMs: 200,
    });
    this.producer = options.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      // kafkajs restarts a consumer that crashed on a retriable error: joined again, it is healthy.
      this.crashed = null;
      this.assignmentReady = this.rewind(payload.memberAssignment[options.incidentsTopic] ?? []);
    });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.crashed = payload.error;
      options.logger.error({ err: payload.error, restart: payload.restart }, 'consumer crashed');
    });
  }

  health(): void {
    if (!this.running) throw new Error('consumer not running');
    if (this.crashed) throw new Error(`consumer crashed: ${this.crashed.message}`);
  }

  async start(): Promise<void> {
    await this.prepareTopics();
    await this.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.incidentsTopic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        await this.assignmentReady;
        if (!isRunning() || isStale() || batch.messages.length === 0) return;
        this.crashed = null;
        await this.handleBatch(batch, {
          resolveOffset,
          heartbeat,
          live: () => isRunning() && !isStale(),
        });
      },
    });
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  private async handleBatch(
    batch: Batch,
    control: {
      resolveOffset: (offset: string) => void;
      heartbeat: () => Promise<void>;
      live: () => boolean;
    },
  ): Promise<void> {
    const state = this.partitions.get(batch.partition);
    if (!state) return;
    const { topic, partition } = batch;
    let uncommitted: string | null = null;
    for (const message of batch.messages) {
      if (!control.live()) break;
      const offset = BigInt(message.offset);
      const replaying = offset < state.deliverFrom;
      const settled = await this.handleMessage({ batch, message, state, replaying, control });
      if (!settled) break;
      control.resolveOffset(message.offset);
      if (!replaying) uncommitted = String(offset + 1n);
      await control.heartbeat();
    }
    if (uncommitted !== null) {
      await this.consumer.commitOffsets([{ topic, partition, offset: uncommitted }]);
    }
    this.options.metrics.app.consumerLag.set(
      { topic, partition: String(partition) },
      Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(batch.lastOffset()) - 1n)),
    );
  }

  /** False when the record could not be settled because the consumer must stop. */
  private async handleMessage(input: {
    batch: Batch;
    message: KafkaMessage;
    state: PartitionState;
    replaying: boolean;
    control: { heartbeat: () => Promise<void>; live: () => boolean };
  }): Promise<boolean> {
    const { batch, message, state, replaying, control } = input;
    let event: IncidentEvent;
    try {
      event = await this.options.codec.decode(message.value);
    } catch (error) {
      if (!(error instanceof UndecodableRecordError)) throw error;
      // Dead-lettered when it was first consumed; a replay only steps over it.
      if (!replaying)
        await this.deadLetter(batch, message, { reason: error.reason, field: error.field });
      return true;
    }
    const notification = state.tracker.apply(event);
    if (replaying) return true;
    this.options.metrics.app.messagesIn.inc({ topic: batch.topic });
    if (!notification) return true;
    for (const route of this.options.routing.routesFor(notification)) {
      const settled = await this.deliver({ batch, message, notification, route, control });
      if (!settled) return false;
    }
    await this.consumer.commitOffsets([
      {
        topic: batch.topic,
        partition: batch.partition,
        offset: String(BigInt(message.offset) + 1n),
      },
    ]);
    return true;
  }

  private async deliver(input: {
    batch: Batch;
    message: KafkaMessage;
    notification: IncidentNotification;
    route: Route;
    control: { heartbeat: () => Promise<void>; live: () => boolean };
  }): Promise<boolean> {
    const { batch, message, notification, route, control } = input;
    const { metrics, logger } = this.options;
    const destination = this.options.destinations.get(route.destination) as Destination;
    const change = notification.details.change;
    const fields = {
      destination: destination.name,
      tenantId: notification.incident.tenantId,
      incidentId: notification.incident.incidentId,
      idempotencyKey: notification.idempotencyKey,
    };
    const started = process.hrtime.bigint();
    const outcome = await deliverWithRetry({
      attempt: () => destination.deliver(notification),
      policy: this.options.retry,
      wait: (ms) => this.waitHeartbeating(ms, control),
      onFailure: (error, attempt) => {
        metrics.attempts.inc({
          destination: destination.name,
          result: error.retryable ? 'retryable' : 'permanent',
        });
        logger.warn({ ...fields, attempt, reason: error.message }, 'delivery attempt failed');
      },
    });
    if (outcome.kind === 'aborted') return false;
    metrics.deliverySeconds.observe(
      { destination: destination.name },
      Number(process.hrtime.bigint() - started) / 1e9,
    );
    if (outcome.kind === 'delivered') {
      metrics.attempts.inc({ destination: destination.name, result: 'ok' });
      metrics.deliveries.inc({ destination: destination.name, change, outcome: 'delivered' });
      logger.debug({ ...fields, attempts: outcome.attempts }, 'delivered');
      return true;
    }
    logger.error(
      { ...fields, attempts: outcome.attempts, reason: outcome.reason },
      'dead-lettering a delivery',
    );
    await this.deadLetter(
      batch,
      message,
      { reason: outcome.reason, field: 'destination' },
      {
        [ACTIONS_DLQ_HEADERS.destination]: destination.name,
        [ACTIONS_DLQ_HEADERS.idempotencyKey]: notification.idempotencyKey,
        [ACTIONS_DLQ_HEADERS.attempts]: String(outcome.attempts),
      },
    );
    metrics.deliveries.inc({ destination: destination.name, change, outcome: 'dead-lettered' });
    return true;
  }

  private async waitHeartbeating(
    ms: number,
    control: { heartbeat: () => Promise<void>; live: () => boolean },
  ): Promise<boolean> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (!control.live()) return false;
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(WAIT_SLICE_MS, until - Date.now())),
      );
      await control.heartbeat();
    }
    return control.live();
  }

  private async deadLetter(
    batch: Batch,
    message: KafkaMessage,
    failure: { reason: string; field?: string },
    extraHeaders: IHeaders = {},
  ): Promise<void> {
    const { topic, partition } = batch;
    const record = deadLetterMessage(
      message,
      { topic, partition, offset: message.offset },
      failure,
      Date.now(),
    );
    await this.producer.send({
      topic: this.options.deadLetterTopic,
      acks: -1,
      messages: [{ ...record, headers: { ...record.headers, ...extraHeaders } }],
    });
    this.options.metrics.app.deadLettered.inc({ reason: failure.field ?? 'value' });
    this.options.metrics.app.messagesOut.inc({ topic: this.options.deadLetterTopic });
  }

  /**
   * Rebuilds the assigned partitions' incident state: seek to 0, fold up to the committed
   * offset without sending. Runs on every rebalance, before the first batch is handled.
   */
  private async rewind(partitions: readonly number[]): Promise<void> {
    this.partitions.clear();
    const { incidentsTopic: topic, groupId, logger } = this.options;
    const admin = this.options.kafka.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const byPartition = new Map(
        (committed?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]),
      );
      const ends = new Map(
        (await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]),
      );
      const firstCommits: { topic: string; partition: number; offset: string }[] = [];
      for (const partition of partitions) {
        let deliverFrom = byPartition.get(partition) ?? -1n;
        if (deliverFrom < 0n) {
          deliverFrom = this.options.startFrom === 'latest' ? (ends.get(partition) ?? 0n) : 0n;
          firstCommits.push({ topic, partition, offset: String(deliverFrom) });
        }
        this.partitions.set(partition, { tracker: new IncidentTracker(), deliverFrom });
        this.consumer.seek({ topic, partition, offset: '0' });
      }
      // A new group's starting point is committed at once: a crash before its first delivery
      // must not move the start to a later end and skip what arrived meanwhile.
      if (firstCommits.length > 0) await this.consumer.commitOffsets(firstCommits);
    } finally {
      await admin.disconnect();
    }
    logger.info(
      { topic, partitions },
      'partitions assigned; replaying the incident log to the committed offsets',
    );
  }

  private async prepareTopics(): Promise<void> {
    const admin: Admin = this.options.kafka.admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [
        { topic: this.options.incidentsTopic, numPartitions: this.options.topicPartitions },
        { topic: this.options.deadLetterTopic, numPartitions: 1 },
      ]);
    } finally {
      await admin.disconnect();
    }
  }
}
