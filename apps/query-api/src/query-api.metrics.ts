import type { AppMetrics } from '@soc/observability';
import { Counter, Gauge, Histogram } from 'prom-client';

export class QueryApiMetrics {
  readonly requests: Histogram<'method' | 'route' | 'status'>;
  readonly feedbackProduced: Counter<'type'>;
  readonly sseClients: Gauge;

  constructor(app: AppMetrics) {
    const registers = [app.registry];
    this.requests = new Histogram({
      name: 'query_api_request_duration_seconds',
      help: 'HTTP requests by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    });
    this.feedbackProduced = new Counter({
      name: 'query_api_feedback_events_total',
      help: 'Feedback events produced to soc.feedback.v1, by type',
      labelNames: ['type'],
      registers,
    });
    this.sseClients = new Gauge({
      name: 'query_api_sse_clients',
      help: 'Open live-update streams',
      registers,
    });
  }
}
