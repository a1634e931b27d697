import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KafkaMessage } from 'kafkajs';
import { infraFromEnv, readCommittedToEnd, testKafka, uniqueName, waitFor } from '@soc/testing';
import { startApp, type AppProcess } from '../../../test/support/app-process';
import {
  MAIL_DOMAIN,
  MAIL_PASSWORD,
  startMailServers,
  type MailServers,
} from '../../../test/support/mail-servers';
import { STOPPED_BEFORE_COMMIT } from '../../../test/support/stop-before-commit';
import { alertMail, deliverOverLmtp } from '../test/alert-mails';
import { EMAIL_HEADERS } from './alert-mail-writer';
import { Pop3Session } from './pop3-client';

const FORMATS = ['cef', 'leef', 'suricata', 'simple-json'];

describe('e-mail connector against a real dovecot POP3', () => {
  const infra = infraFromEnv();
  const kafka = testKafka();
  let servers: MailServers;
  const apps: AppProcess[] = [];

  /** The messages on the server for `user`, by UIDL over implicit TLS. */
  const listed = async (user = 'alerts'): Promise<number> => {
    const session = await Pop3Session.open({
      host: '127.0.0.1',
      port: servers.pop3sPort,
      tls: 'implicit',
      user,
      password: MAIL_PASSWORD,
      ca: readFileSync(servers.caFile),
      timeoutMs: 10_000,
      maxBytes: 1024 * 1024,
    });
    try {
      return (await session.uidl()).length;
    } finally {
      await session.quit();
    }
  };
  const committed = async (prefix: string): Promise<KafkaMessage[]> =>
    (await Promise.all(FORMATS.map((f) => readCommittedToEnd(kafka, `${prefix}${f}`)))).flat();
  const committedAtLeast = (prefix: string, count: number): Promise<KafkaMessage[]> =>
    waitFor(
      async () => {
        const found = await committed(prefix);
        return found.length >= count && found;
      },
      { timeoutMs: 60_000, describe: `${count} committed records` },
    );
  /** The app's environment for one POP3 account, on topics of the test's own. */
  const pop3Env = (user: string, pop3Delete: boolean) => {
    const checkpointTopic = uniqueName(`pop3-checkpoints-${user}`);
    return {
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      TOPIC_PARTITIONS: '2',
      EMAIL_PROTOCOL: 'pop3',
      EMAIL_TENANT_ID: 'tenant-p',
      EMAIL_POP3_HOST: '127.0.0.1',
      EMAIL_POP3_PORT: String(servers.pop3Port),
      EMAIL_POP3_TLS: 'starttls',
      EMAIL_POP3_CA_FILE: servers.caFile,
      EMAIL_POP3_USER: user,
      EMAIL_POP3_PASSWORD: MAIL_PASSWORD,
      EMAIL_POP3_DELETE: String(pop3Delete),
      EMAIL_POLL_INTERVAL: '500ms',
      EMAIL_RAW_TOPIC_PREFIX: `${uniqueName(`pop3-raw-${user}`)}.`,
      EMAIL_CHECKPOINT_TOPIC: checkpointTopic,
      EMAIL_DLQ_TOPIC: `${checkpointTopic}.dlq`,
    };
  };
  /** How many times each Message-ID's records were produced. */
  const perMessage = (records: readonly KafkaMessage[]): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const record of records) {
      const id = String(record.headers?.[EMAIL_HEADERS.messageId]);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  };

  beforeAll(async () => {
    servers = await startMailServers();
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await servers.stop();
  });

  it('produces every message once across a crash between retrieving and committing, then deletes it', async () => {
    const mails = Array.from({ length: 8 }, (_, i) => alertMail(i));
    await deliverOverLmtp(
      servers.lmtpPort,
      mails.map((m) => m.message),
    );
    expect(await listed()).toBe(mails.length);
    const env = pop3Env('alerts', true);
    // The first process stops itself before committing its third message: two messages are
    // committed and not deleted (no QUIT yet), the third's records are sent, uncommitted.
    const first = await startApp({
      name: 'email',
      env: { ...env, SOC_TEST_STOP_BEFORE_COMMIT: '3' },
      portVariable: 'EMAIL_HTTP_PORT',
      preload: [join(__dirname, '..', '..', '..', 'test', 'support', 'stop-before-commit.ts')],
    });
    apps.push(first);
    await waitFor(() => first.output().includes(STOPPED_BEFORE_COMMIT), {
      timeoutMs: 60_000,
      describe: 'the first process to stop before its third commit',
    });
    await first.kill('SIGKILL');
    expect(await listed()).toBe(mails.length);

    apps.push(await startApp({ name: 'email', env, portVariable: 'EMAIL_HTTP_PORT' }));
    await waitFor(async () => (await listed()) === 0, {
      timeoutMs: 60_000,
      describe: 'every message deleted from the POP3 mailbox',
    });
    const expected = mails.reduce((sum, m) => sum + m.records, 0);
    const records = await committedAtLeast(env.EMAIL_RAW_TOPIC_PREFIX, expected);
    expect(records).toHaveLength(expected);
    for (const record of records) {
      expect(record.key?.toString()).toBe('tenant-p');
      expect(String(record.headers?.[EMAIL_HEADERS.key])).toMatch(/^alerts@127\.0\.0\.1\/pop3\//);
    }
    expect(perMessage(records)).toEqual(
      new Map(mails.map((m) => [String(m.message.messageId), m.records])),
    );
  });

  it('leaves messages on the server, reads none again after a restart and reads the new ones', async () => {
    const user = 'leave';
    const mailTo = (i: number) => {
      const mail = alertMail(i);
      const message = {
        ...mail.message,
        to: `${user}@${MAIL_DOMAIN}`,
        messageId: `<leave-${i}@corp.example>`,
      };
      return { message, records: mail.records };
    };
    const recordsOf = (mails: readonly { records: number }[]) =>
      mails.reduce((sum, m) => sum + m.records, 0);
    const before = Array.from({ length: 4 }, (_, i) => mailTo(i));
    await deliverOverLmtp(
      servers.lmtpPort,
      before.map((m) => m.message),
    );
    const env = pop3Env(user, false);
    const first = await startApp({ name: 'email', env, portVariable: 'EMAIL_HTTP_PORT' });
    apps.push(first);
    await committedAtLeast(env.EMAIL_RAW_TOPIC_PREFIX, recordsOf(before));
    expect(await listed(user)).toBe(before.length);
    // No shutdown hook: what the restart knows is only what the checkpoint log holds.
    await first.kill('SIGKILL');

    const after = [4, 5].map(mailTo);
    await deliverOverLmtp(
      servers.lmtpPort,
      after.map((m) => m.message),
    );
    apps.push(await startApp({ name: 'email', env, portVariable: 'EMAIL_HTTP_PORT' }));
    // A pass goes through the listing in order: by the time the new messages' records are
    // committed, the pass has gone past the old ones, which it would have produced first.
    const records = await committedAtLeast(
      env.EMAIL_RAW_TOPIC_PREFIX,
      recordsOf([...before, ...after]),
    );
    expect(perMessage(records)).toEqual(
      new Map([...before, ...after].map((m) => [String(m.message.messageId), m.records])),
    );
    expect(await listed(user)).toBe(before.length + after.length);
    // Two app starts from the TypeScript sources on a loaded machine.
  }, 360_000);
});
