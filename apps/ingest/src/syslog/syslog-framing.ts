/**
 * Splits a syslog TCP byte stream into messages (RFC 6587): octet-counted frames
 * (`<length> <message>`) and newline-terminated frames, decided per frame by whether it
 * starts with a length. Oversized frames are cut off and reported rather than buffered
 * without bound, and an oversized octet-counted frame is skipped by its declared length, so
 * the stream stays in step: nothing hidden inside a discarded frame is ever read as a message.
 * Every step is linear in the bytes received.
 */
export interface DecodedFrames {
  readonly messages: string[];
  /** The head (at most `OVERSIZED_HEAD_BYTES`) of each frame that was too large. */
  readonly oversized: Buffer[];
}

/** How much of an oversized frame is kept for its dead-letter record. */
export const OVERSIZED_HEAD_BYTES = 4_096;

const OCTET_COUNT = /^([1-9]\d{0,8}) /;
const COUNT_SO_FAR = /^[1-9]\d{0,8}$/;

export class SyslogFrameDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private discardingLine = false;
  /** Bytes still to skip of an oversized octet-counted frame. */
  private skipBytes = 0;
  /**
   * What the incomplete frame in `pending` waits for. Chunks that cannot complete it are held
   * apart and joined once, so a frame sent a byte at a time costs linear, not quadratic, time.
   */
  private awaiting: { readonly bytes: number } | 'newline' | null = null;
  private held: Buffer[] = [];
  private heldBytes = 0;

  constructor(private readonly maxFrameBytes = 64 * 1024) {}

  push(chunk: Buffer): DecodedFrames {
    if (this.awaiting !== null && !this.completes(chunk)) {
      this.held.push(chunk);
      this.heldBytes += chunk.length;
      return { messages: [], oversized: [] };
    }
    this.pending = this.joined(chunk);
    this.awaiting = null;
    const messages: string[] = [];
    const oversized: Buffer[] = [];
    while (this.pending.length > 0 && this.step(messages, oversized));
    return { messages, oversized };
  }

  /** What is left when the connection closes: a last frame with no trailing newline. */
  end(): string[] {
    const messages: string[] = [];
    const rest = this.joined(Buffer.alloc(0));
    if (!this.discardingLine && this.skipBytes === 0) pushMessage(messages, rest);
    this.pending = Buffer.alloc(0);
    this.awaiting = null;
    return messages;
  }

  private completes(chunk: Buffer): boolean {
    const total = this.pending.length + this.heldBytes + chunk.length;
    if (this.awaiting === 'newline') return chunk.includes(0x0a) || total > this.maxFrameBytes;
    return this.awaiting === null || total >= this.awaiting.bytes;
  }

  /** `pending`, the held chunks and `chunk` as one buffer; the held chunks are released. */
  private joined(chunk: Buffer): Buffer {
    const parts = [this.pending, ...this.held, chunk].filter((part) => part.length > 0);
    this.held = [];
    this.heldBytes = 0;
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }

  /** Consumes one frame (or part of a skipped one); false when it needs more bytes. */
  private step(messages: string[], oversized: Buffer[]): boolean {
    if (this.skipBytes > 0) {
      const skipped = Math.min(this.skipBytes, this.pending.length);
      this.skipBytes -= skipped;
      this.pending = this.pending.subarray(skipped);
      return this.skipBytes === 0;
    }
    if (this.discardingLine) {
      const newline = this.pending.indexOf(0x0a);
      this.pending = newline < 0 ? Buffer.alloc(0) : this.pending.subarray(newline + 1);
      this.discardingLine = newline < 0;
      return newline >= 0;
    }
    const counted = OCTET_COUNT.exec(this.pending.subarray(0, 11).toString('latin1'));
    if (counted) {
      const length = Number(counted[1]);
      const start = (counted[0] as string).length;
      if (length > this.maxFrameBytes) {
        oversized.push(headOf(this.pending.subarray(start, start + length)));
        this.pending = this.pending.subarray(start);
        this.skipBytes = length;
        return true;
      }
      if (this.pending.length < start + length) {
        this.awaiting = { bytes: start + length };
        return false;
      }
      pushMessage(messages, this.pending.subarray(start, start + length));
      this.pending = this.pending.subarray(start + length);
      return true;
    }
    const newline = this.pending.indexOf(0x0a);
    if (newline < 0) {
      if (this.pending.length > this.maxFrameBytes) {
        oversized.push(headOf(this.pending));
        this.pending = Buffer.alloc(0);
        this.discardingLine = true;
      } else if (!COUNT_SO_FAR.test(this.pending.subarray(0, 11).toString('latin1'))) {
        // Digits alone may still become an octet count once the space arrives.
        this.awaiting = 'newline';
      }
      return false;
    }
    pushMessage(messages, this.pending.subarray(0, newline));
    this.pending = this.pending.subarray(newline + 1);
    return true;
  }
}

/**
 * The messages of one UDP datagram (RFC 5426: one message a datagram, usually without a
 * trailing newline; a sender that packs several newline-terminated lines is read too).
 */
export function decodeDatagram(datagram: Buffer, maxFrameBytes?: number): DecodedFrames {
  const decoder = new SyslogFrameDecoder(maxFrameBytes);
  const decoded = decoder.push(datagram);
  return { messages: [...decoded.messages, ...decoder.end()], oversized: decoded.oversized };
}

const headOf = (bytes: Buffer): Buffer => Buffer.from(bytes.subarray(0, OVERSIZED_HEAD_BYTES));

function pushMessage(messages: string[], bytes: Buffer): void {
  const text = bytes.subarray(0, contentEnd(bytes)).toString('utf8');
  if (text.trim().length > 0) messages.push(text);
}

/** Where the trailing CR, LF and NUL bytes start: one backwards scan, linear in the run. */
function contentEnd(bytes: Buffer): number {
  let end = bytes.length;
  while (end > 0) {
    const byte = bytes[end - 1];
    if (byte !== 0x0d && byte !== 0x0a && byte !== 0x00) break;
    end -= 1;
  }
  return end;
}
