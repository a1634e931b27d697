import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KafkaMessage } from 'kafkajs';
import { infraFromEnv, readCommittedToEnd, testKafka, uniqueName, waitFor } from '@soc/testing';
import { startApp, type AppProcess } from '../../../test/support/app-process';
import {
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
  const prefix = `${uniqueName('pop3-raw')}.`;
  const checkpointTopic = uniqueName('pop3-checkpoints');
  let servers: MailServers;
  const apps: AppProcess[] = [];

  const listed = async (): Promise<number> => {
    const session = await Pop3Session.open({
      host: '127.0.0.1',
      port: servers.pop3sPort,
      tls: 'implicit',
      user: 'alerts',
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
  const committed = async (): Promise<KafkaMessage[]> =>
    (await Promise.all(FORMATS.map((f) => readCommittedToEnd(kafka, `${prefix}${f}`)))).flat();

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
    const env = {
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      TOPIC_PARTITIONS: '2',
      EMAIL_PROTOCOL: 'pop3',
      EMAIL_TENANT_ID: 'tenant-p',
      EMAIL_POP3_HOST: '127.0.0.1',
      EMAIL_POP3_PORT: String(servers.pop3Port),
      EMAIL_POP3_TLS: 'starttls',
      EMAIL_POP3_CA_FILE: servers.caFile,
      EMAIL_POP3_USER: 'alerts',
      EMAIL_POP3_PASSWORD: MAIL_PASSWORD,
      EMAIL_POLL_INTERVAL: '500ms',
      EMAIL_RAW_TOPIC_PREFIX: prefix,
      EMAIL_CHECKPOINT_TOPIC: checkpointTopic,
      EMAIL_DLQ_TOPIC: `${checkpointTopic}.dlq`,
    };
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
    const records = await waitFor(
      async () => {
        const found = await committed();
        return found.length >= expected && found;
      },
      { timeoutMs: 30_000, describe: `${expected} committed records` },
    );
    expect(records).toHaveLength(expected);
    const perMessage = new Map<string, number>();
    for (const record of records) {
      const id = String(record.headers?.[EMAIL_HEADERS.messageId]);
      perMessage.set(id, (perMessage.get(id) ?? 0) + 1);
      expect(record.key?.toString()).toBe('tenant-p');
      expect(String(record.headers?.[EMAIL_HEADERS.key])).toMatch(/^alerts@127\.0\.0\.1\/pop3\//);
    }
    expect(perMessage).toEqual(new Map(mails.map((m) => [String(m.message.messageId), m.records])));
  });
});
