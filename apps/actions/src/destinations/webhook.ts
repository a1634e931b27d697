import { sendHttp } from '../delivery/http-send';
import type { IncidentNotification } from '../notification';
import type { WebhookSpec } from '../routing/routing-schema';
import { IDEMPOTENCY_HEADER, type Destination } from './destination';
import { webhookBody } from './webhook-body';
import { SIGNATURE_HEADER, signatureHeader } from './webhook-signature';

export class WebhookDestination implements Destination {
  readonly type = 'webhook';

  constructor(
    readonly name: string,
    private readonly spec: WebhookSpec,
    private readonly secret: string,
    private readonly now: () => number = Date.now,
  ) {}

  async deliver(notification: IncidentNotification): Promise<void> {
    const body = JSON.stringify(webhookBody(notification));
    // Signed per attempt: a retry hours later carries a fresh time the receiver accepts.
    const timestamp = Math.floor(this.now() / 1000);
    await sendHttp({
      method: 'POST',
      url: this.spec.url,
      body,
      timeoutMs: this.spec.timeoutMs ?? 10_000,
      headers: {
        [SIGNATURE_HEADER]: signatureHeader({ secret: this.secret, body, timestamp }),
        [IDEMPOTENCY_HEADER]: notification.idempotencyKey,
        'x-soc-event': `incident.${notification.details.change}`,
        'user-agent': 'soc-assistant-actions/1',
      },
    });
  }
}
