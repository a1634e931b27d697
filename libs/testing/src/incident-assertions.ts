// Reducing incident events to what a spec asserts: decoded records, which alerts ended up
// together (independent of batching), what the pure correlator expects, envelope problems.
import { countedAlertIds, type CanonicalAlert, type IncidentEvent } from '@soc/contracts';
import { correlateAll, deterministicIds, type CorrelationConfig } from '@soc/domain';
import type { AvroTopicCodec } from '@soc/kafka';
import type { ConsumedRecord } from './topic-reading';

export interface DecodedIncident {
  readonly partition: number;
  readonly key: string | null;
  readonly eventTypeHeader: string | undefined;
  readonly event: IncidentEvent;
}

export async function decodeIncidents(
  records: readonly ConsumedRecord[],
  codec: AvroTopicCodec<IncidentEvent>,
): Promise<DecodedIncident[]> {
  const decoded: DecodedIncident[] = [];
  for (const record of records) {
    decoded.push({
      partition: record.partition,
      key: record.key?.toString() ?? null,
      eventTypeHeader: record.headers['event-type']?.toString(),
      event: await codec.decode(record.value),
    });
  }
  return decoded;
}

/** What correlation decided, independent of batching: which alerts ended up together. */
export interface Grouping {
  /** `<surviving incident id>: <alert ids, sorted>`, sorted; merges folded into their survivor. */
  readonly incidents: readonly string[];
  /** Alerts suppressed before any incident existed, sorted. */
  readonly suppressed: readonly string[];
  /** How many times each alert id was placed (opened, attached, counted, suppressed, dropped late). */
  readonly placements: ReadonlyMap<string, number>;
}

/**
 * Reduces incident events to their grouping. Repeats are counted at flushes, which fall on
 * batch boundaries in the service and on event-time ticks offline, so a repeat may be counted
 * on an incident just before it is merged or on its survivor just after: folding merges makes
 * the grouping independent of where the flushes fell.
 */
export function groupingOf(events: readonly IncidentEvent[]): Grouping {
  const alertsOf = new Map<string, string[]>();
  const survivorOf = new Map<string, string>();
  const suppressed: string[] = [];
  const placements = new Map<string, number>();
  const place = (incidentId: string | null, alertId: string): void => {
    placements.set(alertId, (placements.get(alertId) ?? 0) + 1);
    if (incidentId === null) {
      suppressed.push(alertId);
      return;
    }
    const list = alertsOf.get(incidentId) ?? [];
    list.push(alertId);
    alertsOf.set(incidentId, list);
  };
  for (const event of events) {
    switch (event.type) {
      case 'IncidentOpened':
        place(event.data.incidentId, event.data.firstAlert.alertId);
        break;
      case 'AlertAttached':
        place(event.data.incidentId, event.data.alert.alertId);
        break;
      case 'AlertRepeatsCounted':
      case 'IncidentRepeatsCounted':
        for (const alertId of countedAlertIds(event.data)) place(event.data.incidentId, alertId);
        break;
      case 'AlertSuppressed':
        place(event.data.incidentId, event.data.alert.alertId);
        break;
      case 'LateAlertHandled':
        // The other outcomes come with the IncidentOpened or AlertAttached that places the alert.
        if (event.data.outcome === 'dropped-window-closed')
          place(event.data.incidentId, event.data.alert.alertId);
        break;
      case 'IncidentsMerged':
        survivorOf.set(event.data.absorbedIncidentId, event.data.incidentId);
        break;
      case 'IncidentMergedInto':
      case 'IncidentScored':
      case 'IncidentEscalated':
      case 'CampaignLinked':
      case 'IncidentClosed':
      case 'IncidentReopened':
      case 'IntelVerdictApplied':
      case 'FeedbackApplied':
      case 'ClosedIncidentFollowedUp':
      case 'TenantBudgetExceeded':
      case 'TenantPolicyApplied':
      case 'FeedbackHeld':
      case 'HeldFeedbackExpired':
        break;
      default: {
        const unreachable: never = event;
        throw new Error(`unexpected incident event ${JSON.stringify(unreachable)}`);
      }
    }
  }
  const rootOf = (incidentId: string): string => {
    let root = incidentId;
    for (let next = survivorOf.get(root); next !== undefined; next = survivorOf.get(root))
      root = next;
    return root;
  };
  const folded = new Map<string, string[]>();
  for (const [incidentId, alertIds] of alertsOf) {
    const root = rootOf(incidentId);
    folded.set(root, [...(folded.get(root) ?? []), ...alertIds]);
  }
  return {
    incidents: [...folded]
      .map(([root, alertIds]) => `${root}: ${alertIds.sort().join(' ')}`)
      .sort(),
    suppressed: suppressed.sort(),
    placements,
  };
}

/** The pure correlator over each partition's alerts in their partition order. */
export function expectedEvents(
  byPartition: ReadonlyMap<number, readonly CanonicalAlert[]>,
  config: CorrelationConfig,
): IncidentEvent[] {
  const events: IncidentEvent[] = [];
  for (const alerts of byPartition.values())
    events.push(...correlateAll(alerts, config, deterministicIds()).events);
  return events;
}

/** Problems with the envelope: duplicate event ids, and streams whose sequences are not 1..n. */
export function envelopeProblems(events: readonly IncidentEvent[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  const sequences = new Map<string, number[]>();
  for (const event of events) {
    if (seen.has(event.eventId)) problems.push(`duplicate eventId ${event.eventId}`);
    seen.add(event.eventId);
    const list = sequences.get(event.streamId) ?? [];
    list.push(event.sequence);
    sequences.set(event.streamId, list);
  }
  for (const [streamId, list] of sequences) {
    const sorted = [...list].sort((a, b) => a - b);
    if (sorted.some((sequence, i) => sequence !== i + 1)) {
      problems.push(`stream ${streamId} has sequences ${sorted.join(',')}`);
    }
  }
  return problems;
}
