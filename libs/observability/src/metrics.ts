import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** A Prometheus registry per app, with process metrics and the pipeline's shared series. */
export class AppMetrics {
  readonly registry = new Registry();
  readonly messagesIn: Counter<'topic'>;
  readonly messagesOut: Counter<'topic'>;
  readonly deadLettered: Counter<'reason'>;
  readonly consumerLag: Gauge<'topic' | 'partition'>;
  readonly batchSeconds: Histogram<'stage'>;

  constructor(service: string) {
    this.registry.setDefaultLabels({ service });
    collectDefaultMetrics({ register: this.registry });
    this.messagesIn = new Counter({
      name: 'soc_messages_in_total',
      help: 'Records consumed, by topic',
      labelNames: ['topic'],
      registers: [this.registry],
    });
    this.messagesOut = new Counter({
      name: 'soc_messages_out_total',
      help: 'Records produced, by topic',
      labelNames: ['topic'],
      registers: [this.registry],
    });
    this.deadLettered = new Counter({
      name: 'soc_dead_lettered_total',
      help: 'Records sent to a dead-letter topic, by reason',
      labelNames: ['reason'],
      registers: [this.registry],
    });
    this.consumerLag = new Gauge({
      name: 'soc_consumer_lag',
      help: 'Records between the last consumed offset and the partition high watermark',
      labelNames: ['topic', 'partition'],
      registers: [this.registry],
    });
    this.batchSeconds = new Histogram({
      name: 'soc_batch_duration_seconds',
      help: 'Time to process one consumed batch end to end, by stage',
      labelNames: ['stage'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [this.registry],
    });
  }
}
