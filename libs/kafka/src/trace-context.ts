import { randomBytes } from 'node:crypto';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * A W3C traceparent for a record: continues the caller's trace when it sent one, else starts
 * a new trace, and always names a new span for this hop.
 */
export function nextTraceparent(incoming?: string | undefined): string {
  const match = incoming ? TRACEPARENT.exec(incoming.trim().toLowerCase()) : null;
  const traceId = match?.[1] ?? randomBytes(16).toString('hex');
  const flags = match?.[3] ?? '01';
  return `00-${traceId}-${randomBytes(8).toString('hex')}-${flags}`;
}
