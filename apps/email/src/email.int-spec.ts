import { readFileSync } from 'node:fs';
import { ImapFlow } from 'imapflow';
import type { KafkaMessage } from 'kafkajs';
import { DEAD_LETTER_HEADERS } from '@soc/contracts';
import { infraFromEnv, testKafka, uniqueName, waitFor } from '@soc/testing';
import { startApp, type AppProcess } from '../../../test/support/app-process';
import {
  MAIL_DOMAIN,
  MAIL_PASSWORD,
  startMailServers,
  type MailServers,
} from '../../../test/support/mail-servers';
import { killProcessesWithEnv } from '../../../test/support/process-kill';
import { alertMail, CEF, deliverOverLmtp } from '../test/alert-mails';
import { EMAIL_HEADERS } from './alert-mail-writer';

describe('e-mail connector against a real dovecot', () => {
  const infra = infraFromEnv();
  const kafka = testKafka();
  const prefix = `${uniqueName('email-raw')}.`;
  const checkpointTopic = uniqueName('email-checkpoints');
  let servers: MailServers;
  let app: AppProcess | null = null;
  const produced: KafkaMessage[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('email-reader') });

  const deliver = (mails: Record<string, unknown>[]) => deliverOverLmtp(servers.lmtpPort, mails);

  const folderCounts = async (): Promise<Record<string, number>> => {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: servers.imapsPort,
      secure: true,
      tls: { ca: readFileSync(servers.caFile) },
      auth: { user: 'alerts', pass: MAIL_PASSWORD },
      logger: false,
    });
    await client.connect();
    try {
      const counts: Record<string, number> = {};
      for (const path of ['INBOX', 'Processed', 'Rejected']) {
        const status = await client.status(path, { messages: true });
        counts[path] = status ? (status.messages ?? 0) : 0;
      }
      return counts;
    } finally {
      await client.logout();
    }
  };

  beforeAll(async () => {
    servers = await startMailServers();
  });

  afterAll(async () => {
    await app?.stop();
    await consumer.disconnect();
    await servers.stop();
  });

  it('ingests every message exactly once across a crash, moves it, picks up new mail with IDLE, dead-letters a flood', async () => {
    const mails = Array.from({ length: 24 }, (_, i) => alertMail(i));
    await deliver(mails.map((m) => m.message));
    const env = {
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      TOPIC_PARTITIONS: '2',
      EMAIL_TENANT_ID: 'tenant-m',
      EMAIL_IMAP_HOST: '127.0.0.1',
      EMAIL_IMAP_PORT: String(servers.imapsPort),
      EMAIL_IMAP_TLS: 'implicit',
      EMAIL_IMAP_CA_FILE: servers.caFile,
      EMAIL_IMAP_USER: 'alerts',
      EMAIL_IMAP_PASSWORD: MAIL_PASSWORD,
      // Long enough that only IDLE explains how the late mail is read within the test.
      EMAIL_POLL_INTERVAL: '10m',
      EMAIL_RAW_TOPIC_PREFIX: prefix,
      EMAIL_CHECKPOINT_TOPIC: checkpointTopic,
      EMAIL_DLQ_TOPIC: `${checkpointTopic}.dlq`,
    };
    app = await startApp({ name: 'email', env: env, portVariable: 'EMAIL_HTTP_PORT' });
    await consumer.connect();
    await consumer.subscribe({
      topics: ['cef', 'leef', 'suricata', 'simple-json'].map((f) => `${prefix}${f}`),
      fromBeginning: true,
    });
    await consumer.run({ eachMessage: async ({ message }) => void produced.push(message) });

    await waitFor(() => produced.length >= 3, { timeoutMs: 60_000, describe: 'the first records' });
    expect(killProcessesWithEnv('EMAIL_CHECKPOINT_TOPIC', checkpointTopic).length).toBeGreaterThan(
      0,
    );
    expect((await folderCounts()).INBOX).toBeGreaterThan(0);
    app = await startApp({ name: 'email', env: env, portVariable: 'EMAIL_HTTP_PORT' });

    const expected = mails.reduce((sum, m) => sum + m.records, 0);
    await waitFor(async () => (await folderCounts()).Processed === mails.length, {
      timeoutMs: 60_000,
      describe: 'every message moved to Processed',
    });
    await waitFor(() => produced.length >= expected, {
      timeoutMs: 30_000,
      describe: `${expected} records`,
    });
    expect(await folderCounts()).toEqual({ INBOX: 0, Processed: mails.length, Rejected: 0 });
    expect(produced).toHaveLength(expected);
    const perMessage = new Map<string, number>();
    for (const record of produced) {
      const id = String(record.headers?.[EMAIL_HEADERS.messageId]);
      perMessage.set(id, (perMessage.get(id) ?? 0) + 1);
      expect(record.key?.toString()).toBe('tenant-m');
    }
    expect(perMessage).toEqual(new Map(mails.map((m) => [String(m.message.messageId), m.records])));
    const human = produced.find(
      (r) => String(r.headers?.[EMAIL_HEADERS.messageId]) === '<alert-3@corp.example>',
    );
    expect(JSON.parse(human?.value?.toString() ?? '{}')).toMatchObject({
      title: '[CRITICAL] Ransomware note on fs-3',
      severity: 'critical',
      source_ip: '192.0.2.3',
    });

    const late = alertMail(101);
    await deliver([late.message]);
    await waitFor(() => produced.length === expected + late.records, {
      timeoutMs: 30_000,
      describe: 'the late mail, announced by IDLE',
    });

    // Over the per-message record bound: dead-lettered whole and moved aside, nothing produced.
    const flood = Array.from({ length: 1001 }, (_, i) => CEF(i % 250)).join('\n');
    await deliver([
      { from: 'siem@corp.example', to: `alerts@${MAIL_DOMAIN}`, subject: 'flood', text: flood },
    ]);
    const letters: KafkaMessage[] = [];
    const dlqReader = kafka.consumer({ groupId: uniqueName('email-dlq-reader') });
    await dlqReader.connect();
    try {
      await dlqReader.subscribe({ topic: `${checkpointTopic}.dlq`, fromBeginning: true });
      await dlqReader.run({ eachMessage: async ({ message }) => void letters.push(message) });
      await waitFor(() => letters.length === 1, { timeoutMs: 30_000, describe: 'the dead letter' });
    } finally {
      await dlqReader.disconnect();
    }
    expect(String(letters[0]?.headers?.[DEAD_LETTER_HEADERS.reason])).toBe(
      'more than 1000 alert records in one message',
    );
    await waitFor(async () => (await folderCounts()).Rejected === 1, {
      timeoutMs: 30_000,
      describe: 'the flood moved to Rejected',
    });
    expect(produced).toHaveLength(expected + late.records);
  });
});
