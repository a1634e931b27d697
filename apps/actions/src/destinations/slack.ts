import { sendHttp } from '../delivery/http-send';
import type { IncidentNotification } from '../notification';
import type { SlackSpec } from '../routing/routing-schema';
import { IDEMPOTENCY_HEADER, type Destination } from './destination';
import { escalationText } from './incident-text';

/** Slack's limits: header text 150 characters, a section field 2000, at most 10 fields. */
const HEADER_CHARS = 150;
const FIELD_CHARS = 2000;
const MAX_FIELDS = 10;

const clip = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;

/** mrkdwn treats &, < and > as control characters; everything else is shown as sent. */
const escapeMrkdwn = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** An incoming-webhook message: `text` for notifications and old clients, `blocks` to read. */
export function slackMessage(notification: IncidentNotification): Record<string, unknown> {
  const { subject, facts } = escalationText(notification.incident, notification.idempotencyKey);
  const key = facts.find((fact) => fact.label === 'Idempotency key')?.value ?? '';
  return {
    text: escapeMrkdwn(subject),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(subject, HEADER_CHARS) } },
      {
        type: 'section',
        fields: facts
          .filter((fact) => fact.label !== 'Idempotency key')
          .slice(0, MAX_FIELDS)
          .map((fact) => ({
            type: 'mrkdwn',
            text: clip(`*${fact.label}*\n${escapeMrkdwn(fact.value)}`, FIELD_CHARS),
          })),
      },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `key ${escapeMrkdwn(key)}` }] },
    ],
  };
}

export class SlackDestination implements Destination {
  readonly type = 'slack';

  constructor(
    readonly name: string,
    private readonly spec: SlackSpec,
    private readonly url: string,
  ) {}

  async deliver(notification: IncidentNotification): Promise<void> {
    await sendHttp({
      method: 'POST',
      url: this.url,
      body: JSON.stringify(slackMessage(notification)),
      timeoutMs: this.spec.timeoutMs ?? 10_000,
      headers: { [IDEMPOTENCY_HEADER]: notification.idempotencyKey },
    });
  }
}
