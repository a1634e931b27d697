import { createHmac, timingSafeEqual } from 'node:crypto';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` */
export const SIGNATURE_HEADER = 'x-soc-signature';

/** How far a receiver should let a signature's time be from its own clock. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const digest = (secret: string, timestamp: number, body: string): string =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

/**
 * Signs the exact bytes sent. The timestamp is inside the signed text, so a captured request
 * cannot be replayed later with a fresh time; within the tolerance the idempotency key makes
 * a replay a duplicate the receiver drops.
 */
export function signatureHeader({
  secret,
  body,
  timestamp,
}: {
  readonly secret: string;
  readonly body: string;
  readonly timestamp: number;
}): string {
  return `t=${timestamp},v1=${digest(secret, timestamp, body)}`;
}

export type SignatureCheck =
  | { readonly valid: true; readonly timestamp: number }
  | { readonly valid: false; readonly reason: string };

/**
 * The receiver's side, as README documents it: parse the header, recompute the HMAC over
 * `<t>.<raw body>`, compare in constant time, and refuse a time outside the tolerance.
 */
export function verifySignature({
  secret,
  header,
  body,
  nowSeconds,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
}: {
  readonly secret: string;
  readonly header: string | undefined;
  readonly body: string;
  readonly nowSeconds: number;
  readonly toleranceSeconds?: number;
}): SignatureCheck {
  if (!header) return { valid: false, reason: 'no signature header' };
  const parts = new Map(
    header.split(',').map((part) => {
      const [name, ...rest] = part.trim().split('=');
      return [name ?? '', rest.join('=')] as const;
    }),
  );
  const timestamp = Number(parts.get('t'));
  const given = parts.get('v1') ?? '';
  if (!Number.isInteger(timestamp)) return { valid: false, reason: 'no timestamp t=' };
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds)
    return { valid: false, reason: 'timestamp outside the tolerance' };
  const expected = Buffer.from(digest(secret, timestamp, body), 'hex');
  const actual = Buffer.from(given, 'hex');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
    return { valid: false, reason: 'signature does not match' };
  return { valid: true, timestamp };
}
