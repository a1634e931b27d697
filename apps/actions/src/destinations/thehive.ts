import { DeliveryError } from '../delivery/delivery-error';
import { sendHttp } from '../delivery/http-send';
import type { IncidentNotification } from '../notification';
import type { TheHiveSpec } from '../routing/routing-schema';
import { IDEMPOTENCY_HEADER, type Destination } from './destination';
import { alertUpdate, newAlert, observablesOf, sourceRefOf } from './thehive-alert';

interface TheHiveAlert {
  readonly _id: string;
}

/**
 * TheHive 5's alerts API: an escalation creates the alert (observables from the incident's
 * entities), later changes update it and add the observables they brought. The alert is found
 * by its sourceRef, so no state is kept here: a redelivered creation finds TheHive's
 * "already exists" and updates instead, and an update whose alert is missing creates it.
 */
export class TheHiveDestination implements Destination {
  readonly type = 'thehive';
  private readonly base: string;
  private readonly alertType: string;
  private readonly source: string;

  constructor(
    readonly name: string,
    private readonly spec: TheHiveSpec,
    private readonly apiKey: string,
  ) {
    this.base = spec.url.replace(/\/+$/, '');
    this.alertType = spec.alertType ?? 'soc-incident';
    this.source = spec.source ?? 'soc-assistant';
  }

  async deliver(notification: IncidentNotification): Promise<void> {
    const existing =
      notification.details.change === 'escalated' ? null : await this.find(notification);
    if (existing) return this.update(existing, notification);
    try {
      await this.request(
        'POST',
        '/api/v1/alert',
        newAlert(notification, { type: this.alertType, source: this.source }),
        notification,
      );
    } catch (error) {
      if (!(error instanceof DeliveryError && /already exists/i.test(error.message))) throw error;
      const found = await this.find(notification);
      if (!found) throw error;
      await this.update(found, notification);
    }
  }

  private async update(alert: TheHiveAlert, notification: IncidentNotification): Promise<void> {
    const id = encodeURIComponent(alert._id);
    await this.request('PATCH', `/api/v1/alert/${id}`, alertUpdate(notification), notification);
    for (const observable of observablesOf(notification.newEntities)) {
      try {
        await this.request('POST', `/api/v1/alert/${id}/observable`, observable, notification);
      } catch (error) {
        // A redelivered change adds what the alert already has; TheHive refuses the copy.
        if (!(error instanceof DeliveryError && /already exists/i.test(error.message))) throw error;
      }
    }
  }

  private async find(notification: IncidentNotification): Promise<TheHiveAlert | null> {
    const response = await this.request(
      'POST',
      '/api/v1/query?name=soc-find-alert',
      {
        query: [
          { _name: 'listAlert' },
          {
            _name: 'filter',
            _and: [
              { _eq: { _field: 'type', _value: this.alertType } },
              { _eq: { _field: 'source', _value: this.source } },
              { _eq: { _field: 'sourceRef', _value: sourceRefOf(notification) } },
            ],
          },
          { _name: 'page', from: 0, to: 1 },
        ],
      },
      notification,
    );
    const found = (await response.json().catch(() => null)) as unknown;
    if (!Array.isArray(found)) throw new DeliveryError('TheHive query did not answer a list', true);
    const first = found[0] as { _id?: unknown } | undefined;
    return typeof first?._id === 'string' ? { _id: first._id } : null;
  }

  private request(
    method: 'POST' | 'PATCH',
    path: string,
    body: unknown,
    notification: IncidentNotification,
  ): Promise<Response> {
    return sendHttp({
      method,
      url: `${this.base}${path}`,
      body: JSON.stringify(body),
      timeoutMs: this.spec.timeoutMs ?? 15_000,
      headers: {
        authorization: `Bearer ${this.apiKey}`,
        [IDEMPOTENCY_HEADER]: notification.idempotencyKey,
        ...(this.spec.organisation ? { 'x-organisation': this.spec.organisation } : {}),
      },
    });
  }
}
