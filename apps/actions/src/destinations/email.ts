import { readFileSync } from 'node:fs';
import { createTransport, type Transporter } from 'nodemailer';
import { DeliveryError } from '../delivery/delivery-error';
import type { IncidentNotification } from '../notification';
import type { Secrets } from '../routing/routing';
import type { EmailSpec } from '../routing/routing-schema';
import type { Destination } from './destination';
import { escalationText } from './incident-text';

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The message for one change. Its Message-ID is derived from the idempotency key, so a
 * redelivered escalation carries the same Message-ID and mail clients and archives that
 * de-duplicate by it show it once.
 */
export function escalationMail(
  notification: IncidentNotification,
  { from, to }: { readonly from: string; readonly to: readonly string[] },
) {
  const { subject, facts } = escalationText(notification.incident, notification.idempotencyKey);
  const key = notification.idempotencyKey;
  return {
    from,
    to: [...to],
    subject,
    messageId: `<${encodeURIComponent(key)}@soc-assistant>`,
    headers: { 'X-SOC-Idempotency-Key': key },
    text: facts.map((fact) => `${fact.label}: ${fact.value}`).join('\n'),
    html:
      `<h2>${escapeHtml(subject)}</h2><table>` +
      facts
        .map(
          (fact) =>
            `<tr><th align="left">${escapeHtml(fact.label)}</th><td>${escapeHtml(fact.value)}</td></tr>`,
        )
        .join('') +
      '</table>',
  };
}

/** SMTP reply codes 4xx are temporary (retry); 5xx are permanent (dead letter). */
function deliveryErrorOf(error: unknown): DeliveryError {
  const { responseCode, code, message } = error as {
    responseCode?: number;
    code?: string;
    message?: string;
  };
  const text = `SMTP ${responseCode ?? code ?? 'error'}: ${message ?? String(error)}`;
  if (responseCode !== undefined) return new DeliveryError(text, responseCode < 500);
  // No reply code: the connection, TLS or the greeting failed; authentication is permanent.
  return new DeliveryError(text, code !== 'EAUTH');
}

export class EmailDestination implements Destination {
  readonly type = 'email';
  private readonly transport: Transporter;

  constructor(
    readonly name: string,
    private readonly spec: EmailSpec,
    secrets: Secrets,
  ) {
    const timeout = spec.timeoutMs ?? 30_000;
    this.transport = createTransport({
      host: spec.host,
      port: spec.port,
      secure: spec.secure ?? false,
      requireTLS: spec.requireTls ?? true,
      ...(spec.user && spec.password
        ? { auth: { user: secrets(spec.user), pass: secrets(spec.password) } }
        : {}),
      tls: spec.caFile ? { ca: readFileSync(spec.caFile) } : {},
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
    });
  }

  async deliver(notification: IncidentNotification): Promise<void> {
    try {
      await this.transport.sendMail(escalationMail(notification, this.spec));
    } catch (error) {
      throw deliveryErrorOf(error);
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
