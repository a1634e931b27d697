import { readFileSync } from 'node:fs';
import { AlertMailWriter, type MailDependencies } from './alert-mail-writer';
import { MailConnector } from './mail-connector';
import { Pop3Session } from './pop3-client';

const ANSWER_TIMEOUT_MS = 60_000;

/**
 * Reads alert e-mails from a POP3 mailbox into the `soc.raw.<format>` topics, exactly once. A
 * pass lists the messages by UIDL; a message whose key (`<user>@<host>/pop3/<UIDL>`) is not in
 * the checkpoint log is retrieved, and its records and its checkpoint commit in one Kafka
 * transaction. Then, with EMAIL_POP3_DELETE, it is deleted at the session's QUIT, and the
 * checkpoint is tombstoned after QUIT succeeded; a crash before QUIT deletes nothing and the
 * next pass finds the checkpoint and only deletes. Without it, messages stay on the server and
 * their checkpoints stay in the log, tombstoned once the UIDL is no longer listed.
 */
export class Pop3Connector extends MailConnector {
  private readonly keyPrefix: string;

  constructor(private readonly options: MailDependencies) {
    const { server } = options.config;
    const keyPrefix = `${server.user}@${server.host}/pop3/`;
    super(
      new AlertMailWriter({
        ...options,
        transactionalId: `soc-email:${keyPrefix}`,
        origin: `pop3:${server.user}@${server.host}`,
      }),
    );
    this.keyPrefix = keyPrefix;
  }

  protected async run(): Promise<void> {
    while (this.running) {
      try {
        await this.pass();
        this.lastError = null;
      } catch (error) {
        this.lastError = error instanceof Error ? error : new Error(String(error));
        this.options.logger.warn({ err: error }, 'POP3 pass failed; retrying');
      }
      await this.sleep(this.options.config.pollIntervalMs);
    }
  }

  /** One session: produce what is new, then delete (at QUIT) or remember what was produced. */
  private async pass(): Promise<void> {
    const { server, maxMessageBytes, pop3DeleteProcessed } = this.options.config;
    const session = await Pop3Session.open({
      ...server,
      ca: server.caFile ? readFileSync(server.caFile) : null,
      timeoutMs: ANSWER_TIMEOUT_MS,
      maxBytes: maxMessageBytes + 64 * 1024,
    });
    try {
      const listing = await session.uidl();
      const done: string[] = [];
      for (const { number, uid } of listing) {
        if (!this.running) break;
        const key = `${this.keyPrefix}${uid}`;
        if (!this.writer.produced(key)) await this.produce(session, number, key);
        if (pop3DeleteProcessed) {
          await session.delete(number);
          done.push(key);
        }
      }
      await session.quit();
      const listed = new Set(listing.map(({ uid }) => `${this.keyPrefix}${uid}`));
      // Deleted now, or gone from the server: their checkpoints have nothing left to guard.
      const gone = this.writer.producedKeys(this.keyPrefix).filter((key) => !listed.has(key));
      await this.writer.forget([...done, ...gone]);
    } finally {
      session.close();
    }
  }

  private async produce(session: Pop3Session, number: number, key: string): Promise<void> {
    const size = await session.size(number);
    const source =
      size > this.options.config.maxMessageBytes ? null : await session.retrieve(number);
    await this.writer.write(key, size, source);
  }
}
