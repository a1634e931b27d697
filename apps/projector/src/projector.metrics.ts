import type { AppMetrics } from '@soc/observability';
import { Counter, Gauge, Histogram } from 'prom-client';

const WINDOW_MS = 10_000;

/** The projector's series, registered on the app's registry next to the shared ones. */
export class ProjectorMetrics {
  readonly applied: Counter<'topic' | 'type'>;
  readonly skipped: Counter<'reason'>;
  readonly gaps: Counter<'topic'>;
  readonly batchSize: Histogram<'topic'>;
  readonly delay: Histogram<'basis'>;
  readonly reseeks: Counter<'topic'>;
  readonly retries: Counter<'topic'>;
  private readonly recent: { at: number; count: number }[] = [];

  constructor(
    readonly app: AppMetrics,
    private readonly now: () => number = Date.now,
  ) {
    const registers = [app.registry];
    this.applied = new Counter({
      name: 'projector_events_applied_total',
      help: 'Events folded into the read model, by topic and event type',
      labelNames: ['topic', 'type'],
      registers,
    });
    this.skipped = new Counter({
      name: 'projector_events_skipped_total',
      help: 'Records that changed nothing: offset already applied, sequence already seen, or poison',
      labelNames: ['reason'],
      registers,
    });
    this.gaps = new Counter({
      name: 'projector_sequence_gaps_total',
      help: 'Events applied past a gap in their stream sequence',
      labelNames: ['topic'],
      registers,
    });
    this.batchSize = new Histogram({
      name: 'projector_batch_size',
      help: 'Records per applied partition batch',
      labelNames: ['topic'],
      buckets: [1, 5, 10, 50, 100, 250, 500, 1000, 2500, 5000],
      registers,
    });
    this.delay = new Histogram({
      name: 'projector_projection_delay_seconds',
      help: 'Now minus the event time (basis=occurred) or the Kafka record time (basis=recorded), at commit',
      labelNames: ['basis'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
      registers,
    });
    this.reseeks = new Counter({
      name: 'projector_reseeks_total',
      help: 'Seeks back to the stored checkpoint (assignment, rebuild swap, restored database)',
      labelNames: ['topic'],
      registers,
    });
    this.retries = new Counter({
      name: 'projector_batch_retries_total',
      help: 'Batch attempts that failed for a reason other than the records (database or registry unreachable), each retried with backoff',
      labelNames: ['topic'],
      registers,
    });
    const recent = this.recent;
    const clock = this.now;
    new Gauge({
      name: 'projector_events_per_second',
      help: `Events applied per second over the last ${WINDOW_MS / 1000} s`,
      registers,
      collect() {
        const since = clock() - WINDOW_MS;
        while (recent.length > 0 && (recent[0]?.at ?? 0) < since) recent.shift();
        this.set(recent.reduce((sum, r) => sum + r.count, 0) / (WINDOW_MS / 1000));
      },
    });
  }

  recordApplied(count: number): void {
    this.recent.push({ at: this.now(), count });
    if (this.recent.length > 10_000) this.recent.splice(0, this.recent.length - 10_000);
  }
}
