import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DEAD_LETTER_HEADERS } from '@soc/contracts';
import { infraFromEnv, testKafka, waitFor } from '@soc/testing';
import { freePort, startApp, type AppProcess } from '../../../test/support/app-process';
import {
  MAIL_DOMAIN,
  startMailServers,
  type MailServers,
} from '../../../test/support/mail-servers';
import { killProcessesWithEnv } from '../../../test/support/process-kill';
import { ACTIONS_DLQ_HEADERS } from './actions-consumer';
import {
  actionsEnv,
  createIncidentLog,
  escalatingIncident,
  readDeadLetters,
  waitForCommittedToEnd,
  type IncidentLog,
} from '../test/spec-support';

const INCIDENTS = 5;

/** The messages dovecot delivered into a user's Maildir, as raw text. */
function mailbox(servers: MailServers, user: string): string[] {
  const root = join(servers.dir, 'mail', user);
  return ['new', 'cur'].flatMap((folder) => {
    let names: string[];
    try {
      names = readdirSync(join(root, folder));
    } catch {
      return [];
    }
    return names.map((name) => readFileSync(join(root, folder, name), 'utf8'));
  });
}

const headerOf = (message: string, name: string): string | undefined =>
  new RegExp(`^${name}: *(.+)$`, 'im').exec(message.split(/\r?\n\r?\n/)[0] ?? '')?.[1]?.trim();

describe('actions service: e-mail over SMTP', () => {
  const infra = infraFromEnv();
  const kafka = testKafka();
  let log: IncidentLog;
  let servers: MailServers;
  let app: AppProcess | null = null;

  beforeAll(async () => {
    servers = await startMailServers({ smtp: true });
    log = await createIncidentLog(kafka, infra, 'actions-email');
  });

  afterAll(async () => {
    await app?.stop();
    await log.close();
    await servers.stop();
  });

  it('mails each escalation through a real SMTP server once per key across a crash, and dead-letters when SMTP is down', async () => {
    const env = actionsEnv(
      infra,
      log,
      {
        version: 1,
        destinations: {
          mail: {
            type: 'email',
            host: '127.0.0.1',
            port: servers.smtpPort as number,
            caFile: servers.caFile,
            from: 'soc@localhost',
            to: [`analyst@${MAIL_DOMAIN}`],
          },
          down: {
            type: 'email',
            host: '127.0.0.1',
            port: await freePort(),
            from: 'soc@localhost',
            to: [`x@${MAIL_DOMAIN}`],
          },
        },
        tenants: { 'tenant-d': [{ destination: 'mail' }], 'tenant-e': [{ destination: 'down' }] },
      },
      {},
    );
    await log.produce([
      ...Array.from({ length: INCIDENTS }, (_, i) =>
        escalatingIncident('tenant-d', `inc-d-${i}`, i),
      ).flat(),
      ...escalatingIncident('tenant-e', 'inc-e-1', 1),
    ]);
    app = await startApp({ name: 'actions', env: env, portVariable: 'ACTIONS_HTTP_PORT' });
    await waitFor(() => mailbox(servers, 'analyst').length >= 1, {
      timeoutMs: 60_000,
      describe: 'a first escalation mail',
    });
    expect(killProcessesWithEnv('ACTIONS_GROUP_ID', log.groupId).length).toBeGreaterThan(0);
    app = await startApp({ name: 'actions', env: env, portVariable: 'ACTIONS_HTTP_PORT' });
    await waitForCommittedToEnd(kafka, log);

    const expected = new Set(Array.from({ length: INCIDENTS }, (_, i) => `tenant-d/inc-d-${i}/5`));
    // Postfix hands messages on asynchronously: wait until each accepted one is in the mailbox.
    await waitFor(
      () =>
        new Set(mailbox(servers, 'analyst').map((m) => headerOf(m, 'X-SOC-Idempotency-Key')))
          .size >= expected.size,
      { timeoutMs: 30_000, describe: 'every escalation in the mailbox' },
    );
    const messages = mailbox(servers, 'analyst');
    expect(new Set(messages.map((m) => headerOf(m, 'X-SOC-Idempotency-Key')))).toEqual(expected);
    const first =
      messages.find((m) => headerOf(m, 'X-SOC-Idempotency-Key') === 'tenant-d/inc-d-2/5') ?? '';
    expect(headerOf(first, 'Subject')).toBe('[SOC P91] Suspicious PowerShell on ws-2');
    expect(headerOf(first, 'Message-ID')).toBe('<tenant-d%2Finc-d-2%2F5@soc-assistant>');
    // Delivered over STARTTLS by Postfix, then over LMTP into dovecot.
    expect(first).toMatch(/with ESMTPS id/);

    const [letter] = await readDeadLetters(kafka, log.deadLetterTopic, 1);
    expect(letter?.headers).toMatchObject({
      [ACTIONS_DLQ_HEADERS.destination]: 'down',
      [ACTIONS_DLQ_HEADERS.idempotencyKey]: 'tenant-e/inc-e-1/5',
      [ACTIONS_DLQ_HEADERS.attempts]: '3',
    });
    expect(letter?.headers[DEAD_LETTER_HEADERS.reason]).toMatch(/ECONNREFUSED|ECONNECTION/);
  });
});
