/**
 * Where the correlator's ids come from. Every id is a function of facts the state already
 * holds (tenant, causing alert, the tenant's incident counter, stream and sequence), so a
 * replay of the same inputs gives the same ids and a restarted correlator continues them.
 */
export interface CorrelationIds {
  /** `counter` is the tenant's count of opened incidents, this one included (1, 2, ...). */
  readonly incidentId: (tenantId: string, causingAlertId: string, counter: number) => string;
  /** A campaign is named after its oldest incident. */
  readonly campaignId: (tenantId: string, rootIncidentId: string) => string;
  readonly eventId: (streamId: string, sequence: number) => string;
}

/**
 * A 53-bit string hash (two multiplicative 32-bit lanes mixed at the end), as 14 hex digits.
 * Not cryptographic: it only spreads ids; uniqueness comes from the counter in the input.
 */
export function hash53(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const value = 4294967296 * (2097151 & h2) + (h1 >>> 0);
  return value.toString(16).padStart(14, '0');
}

/** The default id source: `inc-<hash>`, `camp-<hash>`, and `<streamId>#<sequence>` event ids. */
export const deterministicIds = (): CorrelationIds => ({
  incidentId: (tenantId, causingAlertId, counter) =>
    `inc-${hash53(`${tenantId}\u0000${causingAlertId}\u0000${counter}`)}`,
  campaignId: (tenantId, rootIncidentId) => `camp-${hash53(`${tenantId}\u0000${rootIncidentId}`)}`,
  eventId: (streamId, sequence) => `${streamId}#${sequence}`,
});

export const unattachedStreamId = (tenantId: string): string => `unattached:${tenantId}`;

/** Causation of events a tick caused: `tick:<watermark>`. */
export const tickCausation = (watermark: number): string => `tick:${watermark}`;

/** Causation of events an alert caused: its id, kept apart from tick causations. */
export const alertCausation = (alertId: string): string =>
  alertId.startsWith('tick:') ? `alert:${alertId}` : alertId;
