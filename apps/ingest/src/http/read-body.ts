import type { Request } from 'express';

export class BodyTooLargeError extends Error {}

/** Reads the raw request body up to a limit, so oversized bodies answer 413 early. */
export async function readBody(req: Request, limitBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limitBytes) {
    req.resume();
    throw new BodyTooLargeError(`body of ${declared} bytes exceeds the limit of ${limitBytes}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limitBytes) {
      req.resume();
      throw new BodyTooLargeError(`body exceeds the limit of ${limitBytes} bytes`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
