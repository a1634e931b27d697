import type { AlertMailWriter } from './alert-mail-writer';

/**
 * The life cycle the IMAP and POP3 connectors share: the writer starts before the loop and
 * stops after it; /health fails while stopped or after a failed pass; `wake` ends a wait early
 * (new mail, or a stop).
 */
export abstract class MailConnector {
  protected running = false;
  protected wake: (() => void) | null = null;
  protected lastError: Error | null = null;
  private loop: Promise<void> | null = null;

  protected constructor(protected readonly writer: AlertMailWriter) {}

  health(): void {
    if (!this.running) throw new Error('connector not running');
    if (this.lastError) throw new Error(`last pass failed: ${this.lastError.message}`);
  }

  async start(): Promise<void> {
    await this.writer.start();
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.writer.stop();
  }

  /** Passes over the mailbox until stopped. */
  protected abstract run(): Promise<void>;

  protected sleep(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
