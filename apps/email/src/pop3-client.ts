import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';

export interface Pop3Options {
  readonly host: string;
  readonly port: number;
  /** `implicit`: TLS from the first byte; `starttls`: STLS (RFC 2595) before logging in. */
  readonly tls: 'implicit' | 'starttls';
  readonly user: string;
  readonly password: string;
  /** A PEM CA for a private certificate; the system CAs otherwise. */
  readonly ca: Buffer | null;
  /** The longest wait for one answer before the session is given up. */
  readonly timeoutMs: number;
  /** No line, and no message, may be longer. */
  readonly maxBytes: number;
}

export interface Pop3Listing {
  /** The message number of this session. */
  readonly number: number;
  /** UIDL: the server's id of the message, the same in every session. */
  readonly uid: string;
}

const CRLF = Buffer.from('\r\n');

/**
 * A POP3 session (RFC 1939) with the few commands a connector needs: USER/PASS, UIDL, LIST,
 * RETR, DELE, QUIT, and STLS. The password is only ever sent over TLS. Deletions take effect
 * at QUIT only (the UPDATE state): a session that ends any other way deletes nothing.
 */
export class Pop3Session {
  private readonly reader = new LineReader();

  private constructor(
    private socket: Socket | TLSSocket,
    private readonly options: Pop3Options,
  ) {
    this.reader.attach(socket);
  }

  static async open(options: Pop3Options): Promise<Pop3Session> {
    // SNI names a host, never an address (RFC 6066).
    const tls = {
      host: options.host,
      ...(isIP(options.host) === 0 ? { servername: options.host } : {}),
      ...(options.ca ? { ca: options.ca } : {}),
    };
    const socket =
      options.tls === 'implicit'
        ? connectTls({ ...tls, port: options.port })
        : connectTcp({ host: options.host, port: options.port });
    const session = new Pop3Session(socket, options);
    try {
      await session.status('greeting');
      if (options.tls === 'starttls') await session.startTls(tls);
      await session.command('USER', options.user);
      await session.command('PASS', options.password, 'PASS ***');
      return session;
    } catch (error) {
      session.close();
      throw error;
    }
  }

  async uidl(): Promise<Pop3Listing[]> {
    await this.command('UIDL');
    const lines = await this.multiLine();
    return lines.map((line) => {
      const [number, uid] = line.toString('latin1').trim().split(/\s+/);
      if (!number || !uid)
        throw new Error(`POP3 UIDL: unreadable line '${line.toString('latin1').slice(0, 80)}'`);
      return { number: Number(number), uid };
    });
  }

  /** The message's size in bytes as the server counts it (LIST n). */
  async size(number: number): Promise<number> {
    const answer = await this.command('LIST', String(number));
    return Number(answer.split(/\s+/)[1] ?? 0);
  }

  /** The whole message (RETR n), dot-unstuffed, lines joined with CRLF. */
  async retrieve(number: number): Promise<Buffer> {
    await this.command('RETR', String(number));
    const lines = await this.multiLine();
    return Buffer.concat(lines.flatMap((line) => [line, CRLF]));
  }

  async delete(number: number): Promise<void> {
    await this.command('DELE', String(number));
  }

  /** Ends the session; the server applies the deletions now. */
  async quit(): Promise<void> {
    try {
      await this.command('QUIT');
    } finally {
      this.close();
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private async startTls(tls: { host: string; servername?: string; ca?: Buffer }): Promise<void> {
    await this.command('STLS');
    this.reader.detach(this.socket);
    const upgraded = connectTls({ ...tls, socket: this.socket });
    await new Promise<void>((resolve, reject) => {
      upgraded.once('secureConnect', resolve);
      upgraded.once('error', reject);
    });
    this.socket = upgraded;
    this.reader.attach(upgraded);
  }

  /** Sends a command and reads its one-line answer; `-ERR` is an error naming the command. */
  private async command(name: string, argument?: string, shown = name): Promise<string> {
    this.socket.write(argument === undefined ? `${name}\r\n` : `${name} ${argument}\r\n`);
    return this.status(shown);
  }

  private async status(what: string): Promise<string> {
    const line = (await this.reader.line(this.options)).toString('latin1');
    if (!line.startsWith('+OK')) throw new Error(`POP3 ${what}: ${line.slice(0, 200)}`);
    return line.slice(3).trim();
  }

  /** The lines up to the terminating `.`, with the byte-stuffing dot removed. */
  private async multiLine(): Promise<Buffer[]> {
    const lines: Buffer[] = [];
    let bytes = 0;
    for (;;) {
      const line = await this.reader.line(this.options);
      if (line.length === 1 && line[0] === 0x2e) return lines;
      bytes += line.length + 2;
      if (bytes > this.options.maxBytes)
        throw new Error(`POP3 answer over ${this.options.maxBytes} bytes`);
      lines.push(line[0] === 0x2e ? line.subarray(1) : line);
    }
  }
}

/** CRLF-terminated lines from a socket, one reader waiting at a time. */
class LineReader {
  private buffer: Buffer = Buffer.alloc(0);
  private failure: Error | null = null;
  private waiting: (() => void) | null = null;
  private readonly onData = (chunk: Buffer): void => {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    this.waiting?.();
  };
  private readonly onEnd = (error?: Error): void => {
    this.failure ??= error instanceof Error ? error : new Error('POP3 connection closed');
    this.waiting?.();
  };

  attach(socket: Socket): void {
    socket.on('data', this.onData);
    socket.on('error', this.onEnd);
    socket.on('close', this.onEnd);
  }

  detach(socket: Socket): void {
    socket.off('data', this.onData);
    socket.off('error', this.onEnd);
    socket.off('close', this.onEnd);
  }

  async line({ timeoutMs, maxBytes }: { timeoutMs: number; maxBytes: number }): Promise<Buffer> {
    for (;;) {
      const end = this.buffer.indexOf(CRLF);
      if (end >= 0) {
        const line = this.buffer.subarray(0, end);
        this.buffer = this.buffer.subarray(end + 2);
        return line;
      }
      if (this.buffer.length > maxBytes) throw new Error(`POP3 line over ${maxBytes} bytes`);
      if (this.failure) throw this.failure;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`POP3 server silent for ${timeoutMs} ms`)),
          timeoutMs,
        );
        this.waiting = () => {
          clearTimeout(timer);
          this.waiting = null;
          resolve();
        };
      });
    }
  }
}
