import type { AppMetrics } from '@soc/observability';
import { Counter, Histogram } from 'prom-client';

/** The actions service's series, next to the shared ones on the app's registry. */
export class ActionsMetrics {
  readonly deliveries: Counter<'destination' | 'change' | 'outcome'>;
  readonly attempts: Counter<'destination' | 'result'>;
  readonly deliverySeconds: Histogram<'destination'>;

  constructor(readonly app: AppMetrics) {
    const registers = [app.registry];
    this.deliveries = new Counter({
      name: 'actions_deliveries_total',
      help: 'Notifications settled per destination and change: delivered or dead-lettered',
      labelNames: ['destination', 'change', 'outcome'],
      registers,
    });
    this.attempts = new Counter({
      name: 'actions_delivery_attempts_total',
      help: 'Delivery attempts per destination, by result (ok, retryable, permanent)',
      labelNames: ['destination', 'result'],
      registers,
    });
    this.deliverySeconds = new Histogram({
      name: 'actions_delivery_seconds',
      help: 'From the first attempt to settled, retries included',
      labelNames: ['destination'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600],
      registers,
    });
  }
}
