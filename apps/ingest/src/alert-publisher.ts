import type { Producer } from 'kafkajs';
import { TOPICS, TRACEPARENT_HEADER, type CanonicalAlert } from '@soc/contracts';
import { nextTraceparent, type AvroTopicCodec } from '@soc/kafka';
import type { AppMetrics } from '@soc/observability';

/**
 * Produces accepted alerts to `soc.alerts.v1` and resolves only when the brokers acknowledged
 * all of them (idempotent producer, acks=all). Keyed by tenant id, the correlator's partition
 * key, so one tenant's alerts stay in order on one partition.
 */
export class AlertPublisher {
  constructor(
    private readonly producer: Producer,
    private readonly codec: AvroTopicCodec<CanonicalAlert>,
    private readonly metrics: AppMetrics,
  ) {}

  async publish(alerts: readonly CanonicalAlert[], traceparent?: string): Promise<void> {
    if (alerts.length === 0) return;
    await this.producer.send({
      topic: TOPICS.alerts,
      acks: -1,
      messages: alerts.map((alert) => this.toMessage(alert, traceparent)),
    });
    this.metrics.messagesOut.inc({ topic: TOPICS.alerts }, alerts.length);
  }

  toMessage(alert: CanonicalAlert, traceparent?: string) {
    return {
      key: alert.tenantId,
      value: this.codec.encode(alert),
      headers: { [TRACEPARENT_HEADER]: nextTraceparent(traceparent) },
    };
  }
}
