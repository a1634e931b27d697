/**
 * Splits a syslog TCP byte stream into messages (RFC 6587): octet-counted frames
 * (`<length> <message>`) and newline-terminated frames, decided per frame by whether it
 * starts with a length. Oversized frames are cut off and reported rather than buffered
 * without bound.
 */
export interface DecodedFrames {
  readonly messages: string[];
  readonly oversized: number;
}

const OCTET_COUNT = /^([1-9]\d{0,8}) /;

export class SyslogFrameDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private discardingLine = false;

  constructor(private readonly maxFrameBytes = 64 * 1024) {}

  push(chunk: Buffer): DecodedFrames {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const messages: string[] = [];
    let oversized = 0;
    for (;;) {
      if (this.pending.length === 0) break;
      if (this.discardingLine) {
        const newline = this.pending.indexOf(0x0a);
        if (newline < 0) {
          this.pending = Buffer.alloc(0);
          break;
        }
        this.pending = this.pending.subarray(newline + 1);
        this.discardingLine = false;
        continue;
      }
      const head = this.pending.subarray(0, 11).toString('latin1');
      const counted = OCTET_COUNT.exec(head);
      if (counted) {
        const length = Number(counted[1]);
        const start = (counted[0] as string).length;
        if (length > this.maxFrameBytes) {
          oversized += 1;
          this.pending = Buffer.alloc(0);
          break;
        }
        if (this.pending.length < start + length) break;
        pushMessage(messages, this.pending.subarray(start, start + length));
        this.pending = this.pending.subarray(start + length);
        continue;
      }
      const newline = this.pending.indexOf(0x0a);
      if (newline < 0) {
        if (this.pending.length > this.maxFrameBytes) {
          oversized += 1;
          this.pending = Buffer.alloc(0);
          this.discardingLine = true;
        }
        break;
      }
      pushMessage(messages, this.pending.subarray(0, newline));
      this.pending = this.pending.subarray(newline + 1);
    }
    return { messages, oversized };
  }

  /** What is left when the connection closes: a last frame with no trailing newline. */
  end(): string[] {
    const messages: string[] = [];
    if (!this.discardingLine) pushMessage(messages, this.pending);
    this.pending = Buffer.alloc(0);
    return messages;
  }
}

/**
 * The messages of one UDP datagram (RFC 5426: one message a datagram, usually without a
 * trailing newline; a sender that packs several newline-terminated lines is read too).
 */
export function decodeDatagram(datagram: Buffer, maxFrameBytes?: number): string[] {
  const decoder = new SyslogFrameDecoder(maxFrameBytes);
  return [...decoder.push(datagram).messages, ...decoder.end()];
}

function pushMessage(messages: string[], bytes: Buffer): void {
  const text = bytes.toString('utf8').replace(/[\r\n\0]+$/, '');
  if (text.trim().length > 0) messages.push(text);
}
