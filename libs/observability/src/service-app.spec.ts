import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { createServiceApp } from './service-app';

@Injectable()
class StoppingWorker implements OnApplicationShutdown {
  static stopped = 0;

  onApplicationShutdown(): void {
    StoppingWorker.stopped += 1;
  }
}

describe('createServiceApp', () => {
  it('serves /health and the service-labelled /metrics, and shuts its providers down on close', async () => {
    const app = await createServiceApp({ service: 'spec-service', providers: [StoppingWorker] });
    await app.listen(0, '127.0.0.1');
    try {
      const base = await app.getUrl();
      const health = await fetch(`${base}/health`);
      expect(health.status).toBe(200);
      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.headers.get('content-type')).toContain('text/plain');
      expect(await metrics.text()).toContain('spec-service');
    } finally {
      await app.close();
    }
    expect(StoppingWorker.stopped).toBe(1);
  });
});
