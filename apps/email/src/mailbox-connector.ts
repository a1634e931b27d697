import { readFileSync } from 'node:fs';
import { ImapFlow } from 'imapflow';
import { AlertMailWriter, type MailDependencies } from './alert-mail-writer';
import { MailConnector } from './mail-connector';

/**
 * Reads alert e-mails from one IMAP mailbox into the `soc.raw.<format>` topics, exactly once:
 * a message's records and its checkpoint commit in one Kafka transaction, and only then is the
 * message moved out of the mailbox. A crash before the commit leaves nothing produced and the
 * message in place; a crash after it leaves a checkpoint, so the restarted connector moves the
 * message without producing it again. Waits for new mail with IDLE where the server has it,
 * and polls every EMAIL_POLL_INTERVAL in any case.
 */
export class MailboxConnector extends MailConnector {
  private client: ImapFlow | null = null;

  constructor(private readonly options: MailDependencies) {
    const { server, mailbox } = options.config;
    super(
      new AlertMailWriter({
        ...options,
        transactionalId: `soc-email:${server.user}@${server.host}/${mailbox}`,
        origin: `imap:${mailbox}`,
      }),
    );
  }

  protected async run(): Promise<void> {
    while (this.running) {
      try {
        const client = await this.connected();
        await this.drainMailbox(client);
        this.lastError = null;
        await this.waitForMail(client);
      } catch (error) {
        this.lastError = error instanceof Error ? error : new Error(String(error));
        this.options.logger.warn({ err: error }, 'mailbox pass failed; reconnecting');
        await this.client?.logout().catch(() => undefined);
        this.client = null;
        await this.sleep(Math.min(this.options.config.pollIntervalMs, 5_000));
      }
    }
    await this.client?.logout().catch(() => undefined);
  }

  private async connected(): Promise<ImapFlow> {
    if (this.client?.usable) return this.client;
    const { server: imap, mailbox, processedFolder, rejectedFolder } = this.options.config;
    const client = new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: imap.tls === 'implicit',
      doSTARTTLS: imap.tls === 'starttls' ? true : undefined,
      auth: { user: imap.user, pass: imap.password },
      tls: imap.caFile ? { ca: readFileSync(imap.caFile) } : {},
      logger: false,
    });
    client.on('exists', () => this.wake?.());
    client.on('error', (error: Error) =>
      this.options.logger.warn({ err: error }, 'IMAP connection error'),
    );
    await client.connect();
    for (const folder of [processedFolder, rejectedFolder]) {
      await client.mailboxCreate(folder).catch(() => undefined); // exists already
    }
    await client.mailboxOpen(mailbox);
    this.options.logger.info(
      { mailbox, idle: client.capabilities.has('IDLE') },
      client.capabilities.has('IDLE') ? 'waiting for mail with IDLE' : 'no IDLE: polling',
    );
    this.client = client;
    return client;
  }

  private async drainMailbox(client: ImapFlow): Promise<void> {
    const uids = (await client.search({ all: true }, { uid: true })) || [];
    const uidValidity = String(client.mailbox ? client.mailbox.uidValidity : 0n);
    for (const uid of uids) {
      if (!this.running) return;
      await this.handleMessage(client, uid, uidValidity);
    }
  }

  private async handleMessage(client: ImapFlow, uid: number, uidValidity: string): Promise<void> {
    const { server, mailbox, processedFolder, rejectedFolder } = this.options.config;
    const key = `${server.user}@${server.host}/${mailbox}/${uidValidity}/${uid}`;
    let target = processedFolder;
    if (!this.writer.produced(key)) {
      const fetched = await client.fetchOne(
        String(uid),
        { size: true, source: true },
        { uid: true },
      );
      if (!fetched) return; // expunged meanwhile
      const produced = await this.writer.write(key, fetched.size ?? 0, fetched.source ?? null);
      target = produced ? processedFolder : rejectedFolder;
    }
    await client.messageMove(String(uid), target, { uid: true });
    await this.writer.forget([key]);
  }

  /** Until the server announces mail (IDLE's EXISTS) or the poll interval passes. */
  private async waitForMail(client: ImapFlow): Promise<void> {
    if (!this.running) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.options.config.pollIntervalMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
      // Without IDLE, imapflow sends NOOPs; an EXISTS they bring wakes us as well.
      if (!client.idling && client.capabilities.has('IDLE')) void client.idle().catch(() => done());
    });
    this.wake = null;
  }
}
